"""payments.charge with payments.refund as its compensation, against localstripe on 127.0.0.1
(the payments area's Stripe emulator set-up)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import payments_standins as standins


def test_a_failed_saga_refunds_its_charge(make_services: Any, secrets: Any, monkeypatch: pytest.MonkeyPatch, run_in: Any) -> None:
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
