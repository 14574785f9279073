"""payments.charge with payments.refund as its compensation, against localstripe on 127.0.0.1
(the payments area's Stripe emulator set-up), when the payments area is installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

PAYMENTS_TESTS = Path(__file__).resolve().parents[1] / "payments"


def _standins() -> Any:
    spec = importlib.util.spec_from_file_location("wf_payments_standins", PAYMENTS_TESTS / "standins.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["wf_payments_standins"] = module
    spec.loader.exec_module(module)
    return module


def test_a_failed_saga_refunds_its_charge(make_services: Any, secrets: Any, monkeypatch: pytest.MonkeyPatch, run_in: Any) -> None:
    probe = make_services()
    if "payments" not in probe.extra:
        assert not probe.workflows.registry.has("payments.charge")
        return
    standins = _standins()
    with standins.localstripe() as url:
        secrets.set("provider:stripe", standins.STRIPE_KEY)
        monkeypatch.setenv("TRENDFORGE_STRIPE_BASE_URL", url)
        manager = make_services()
        pay = manager.payments
        pay.retry_initial, pay.retry_max = 0.01, 0.05
        wf = manager.workflows
        detail = run_in(wf, {"name": "sell", "steps": [
            {"name": "charge", "action": "payments.charge",
             "inputs": {"provider": "stripe", "amount": "9.99", "currency": "USD", "template_id": "tpl-cats"},
             "compensation": {"action": "payments.refund", "inputs": {"txn_id": "${steps.charge.output.id}"}}},
            {"name": "deliver", "action": "fail", "inputs": {"message": "delivery failed"}},
        ]})
        assert detail["status"] == "compensated", [(s["name"], s["status"], s["error"], s["compensation_error"]) for s in detail["steps"]]
        charge = detail["steps"][0]
        assert charge["status"] == "compensated" and charge["output"]["amount"] == 999
        txn = pay.get(charge["output"]["id"])
        assert txn.status.value in ("refunded",), txn
        assert [r["amount"] for r in pay.refunds_of(txn.id)] == [999]
