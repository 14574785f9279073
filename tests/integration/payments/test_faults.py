"""Faults between us and Stripe, through a loopback proxy in front of localstripe.

The proxy forwards and then drops the response, answers 500 or 429 (Retry-After: 1), or
stalls. Whatever happens: no double charge, no duplicated or missing ledger row, and an
error a person can act on.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.errors import ProviderError
from app.health import HealthState
from app.payments.model import TxnStatus
from app.remedies import RetryPayment
from app.timeutil import parse_iso
from services.events.store import EventQuery
from services.payments.models import TransactionRecord
from tests.support import payments_standins as st


@pytest.fixture
def proxied(pay: Any, localstripe_url: str, secrets: Any) -> Any:
    """(manager, service, proxy) with the service talking to localstripe through the fault proxy."""
    secrets.set("provider:stripe", st.STRIPE_KEY)
    with st.FaultProxy(localstripe_url) as proxy:
        manager, svc = pay(TRENDFORGE_STRIPE_BASE_URL=proxy.url)
        yield manager, svc, proxy


def _only_post_intents(action: str, times: int = 1) -> Any:
    hits = {"n": 0}

    def rule(method: str, path: str, n: int) -> str | None:
        if method == "POST" and path.startswith("/v1/payment_intents") and hits["n"] < times:
            hits["n"] += 1
            return action
        return None

    return rule


def _ledger_rows(manager: Any) -> list[Any]:
    with manager.ctx.new_uow() as uow:
        rows = list(uow.session.scalars(select(TransactionRecord)))
        uow.session.expunge_all()
        return rows


def test_response_dropped_after_charge_reconciles_by_local_id(proxied: Any, stripe_sdk: Any) -> None:
    manager, svc, proxy = proxied
    proxy.rule = _only_post_intents("drop_after")
    t = svc.charge("stripe", "tpl-1", "9.99", "USD")
    intents = st.stripe_intents(stripe_sdk)
    assert len(intents) == 1, "the customer must be charged exactly once"
    assert t.status is TxnStatus.SUCCEEDED and t.provider_id == intents[0].id
    assert t.attempts == 1  # the second round found the charge by metadata instead of creating another
    assert [a for _m, _p, a in proxy.log if a != "pass"] == ["drop_after"]
    assert any(m == "GET" and p.startswith("/v1/payment_intents") for m, p, _a in proxy.log)
    [row] = _ledger_rows(manager)
    assert row.idempotency_key and row.provider_id == intents[0].id


def test_server_error_then_success_charges_once(proxied: Any, stripe_sdk: Any) -> None:
    manager, svc, proxy = proxied
    proxy.rule = _only_post_intents("500", times=2)
    t = svc.charge("stripe", None, "4.00", "USD")
    assert t.status is TxnStatus.SUCCEEDED
    assert len(st.stripe_intents(stripe_sdk)) == 1
    assert len(_ledger_rows(manager)) == 1


def test_rate_limit_honours_retry_after(proxied: Any, stripe_sdk: Any) -> None:
    _manager, svc, proxy = proxied
    svc.retry_max = 1.0  # the backoff caps Retry-After at 4x retry_max; the fixture's 0.05 s would cap it
    proxy.rule = _only_post_intents("429")
    start = time.monotonic()
    t = svc.charge("stripe", None, "4.00", "USD")
    waited = time.monotonic() - start
    assert t.status is TxnStatus.SUCCEEDED
    assert waited >= 0.9, "Retry-After: 1 was not honoured"
    assert len(st.stripe_intents(stripe_sdk)) == 1


def test_stalled_provider_gives_clear_error_then_retry_charges_once(proxied: Any, stripe_sdk: Any) -> None:
    manager, svc, proxy = proxied
    svc.http.read_timeout = 0.4
    svc.retry_attempts = 2
    proxy.stall_seconds = 1.0
    proxy.rule = lambda m, p, n: "stall" if m == "POST" else None
    with pytest.raises(ProviderError) as err:
        svc.charge("stripe", "tpl-1", "9.99", "USD")
    message = str(err.value)
    assert "did not answer" in message or "could not be reached" in message or "dropped" in message
    [row] = _ledger_rows(manager)
    assert "a retry checks stripe before charging again" in message and err.value.remedy == RetryPayment(row.id)
    assert row.status == "failed" and row.failure_code == "provider_unreachable"
    assert [t.id for t in svc.failed()] == [row.id]
    key = row.idempotency_key

    proxy.rule = lambda m, p, n: None
    t = svc.retry(row.id)
    assert t.status is TxnStatus.SUCCEEDED
    assert len(st.stripe_intents(stripe_sdk)) == 1
    [row] = _ledger_rows(manager)
    assert row.idempotency_key == key  # the same key on every attempt of this charge


def test_dropped_response_during_refund_refunds_once(proxied: Any, stripe_sdk: Any) -> None:
    _manager, svc, proxy = proxied
    t = svc.charge("stripe", None, "9.99", "USD")
    dropped = {"n": 0}

    def rule(method: str, path: str, n: int) -> str | None:
        if method == "POST" and path.startswith("/v1/refunds") and not dropped["n"]:
            dropped["n"] += 1
            return "drop_after"
        return None

    proxy.rule = rule
    r = svc.refund(t.id, "2.50")
    assert r.transaction.refunded_amount == 250
    refunds = stripe_sdk.v1.refunds.list(params={"limit": 100}).data
    assert [x.amount for x in refunds] == [250]


def test_sync_survives_dropped_pages_and_stays_exact(proxied: Any, stripe_sdk: Any) -> None:
    manager, svc, proxy = proxied
    svc.page_size = 5
    ids = [stripe_sdk.v1.payment_intents.create(params={"amount": 300 + i, "currency": "usd",
                                                         "payment_method": "pm_card_visa", "confirm": True}).id
           for i in range(12)]
    proxy.rule = lambda m, p, n: "drop_after" if m == "GET" and n % 3 == 0 else ("429" if n % 7 == 0 else None)
    [rep] = svc.sync("stripe")
    assert rep.error is None
    rows = _ledger_rows(manager)
    assert sorted(r.provider_id for r in rows) == sorted(ids)
    [again] = svc.sync("stripe")
    assert again.added == 0
    assert len(_ledger_rows(manager)) == 12


def test_provider_that_keeps_failing_is_marked_unhealthy_not_retried_forever(proxied: Any) -> None:
    manager, svc, proxy = proxied
    proxy.rule = lambda m, p, n: "500"
    for _ in range(svc.unhealthy_after):
        with pytest.raises(ProviderError, match="server error"):
            svc.sync("stripe")
    assert svc.health().state is HealthState.DEGRADED
    assert "stripe unhealthy" in svc.health().detail
    events = manager.bus.history(EventQuery(types=["provider.unhealthy"]))
    assert [e.event.provider for e in events] == ["stripe"]  # type: ignore[attr-defined]
    before = proxy.count
    with pytest.raises(ProviderError, match="marked unhealthy"):
        svc.sync("stripe")
    with pytest.raises(ProviderError, match="marked unhealthy"):
        svc.charge("stripe", None, "1.00", "USD")
    assert proxy.count == before, "an unhealthy provider must not be called"
    assert _ledger_rows(manager) == []
    health = {h["provider"]: h for h in svc.provider_health()}
    assert health["stripe"]["state"] == "unhealthy" and health["stripe"]["unhealthy_until"]
    assert manager.health()["status"] == "degraded"
    with manager.ctx.new_uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(TransactionRecord)) == 0


def test_an_unhealthy_provider_rests_as_long_as_its_retry_after_asks(proxied: Any) -> None:
    manager, svc, proxy = proxied
    proxy.rule = lambda m, p, n: "429"
    proxy.retry_after = "900"  # longer than the five-minute rest: the provider's word is the floor
    before = manager.ctx.clock()
    for _ in range(svc.unhealthy_after):
        with pytest.raises(ProviderError, match="rate"):
            svc.sync("stripe")
    until = parse_iso(next(h for h in svc.provider_health() if h["provider"] == "stripe")["unhealthy_until"])
    assert until >= before + timedelta(seconds=900)


def test_refund_with_unknown_outcome_stays_pending_then_is_settled(proxied: Any, stripe_sdk: Any) -> None:
    _manager, svc, proxy = proxied
    t = svc.charge("stripe", None, "9.99", "USD")
    svc.http.read_timeout = 0.4
    svc.retry_attempts = 2
    proxy.stall_seconds = 1.0
    proxy.rule = lambda m, p, n: "stall" if m == "POST" and p.startswith("/v1/refunds") else None
    with pytest.raises(ProviderError, match="stays pending"):
        svc.refund(t.id, "3.00")
    [pending] = svc.refunds_of(t.id)
    assert pending["status"] == "pending"
    assert svc.get(t.id).refunded_amount == 0  # not counted as done, but it blocks over-refunding meanwhile
    proxy.rule = lambda m, p, n: None
    svc.http.read_timeout = 20
    r = svc.refund(t.id)  # first asks Stripe about the pending one (never arrived), then refunds the rest
    assert r.amount == 999 and r.transaction.status is TxnStatus.REFUNDED
    assert sorted(x["status"] for x in svc.refunds_of(t.id)) == ["failed", "succeeded"]
    assert "not found" in next(x for x in svc.refunds_of(t.id) if x["status"] == "failed")["message"]
    assert [x.amount for x in stripe_sdk.v1.refunds.list(params={"limit": 100}).data] == [999]


def test_decline_whose_answer_was_dropped_is_found_not_retried(proxied: Any, stripe_sdk: Any) -> None:
    from services.payments.service import PaymentDeclinedError

    manager, svc, proxy = proxied
    pm = st.card_pm(stripe_sdk, "4000000000000341")
    proxy.rule = _only_post_intents("drop_after")
    with pytest.raises(PaymentDeclinedError, match="declined"):
        svc.charge("stripe", None, "5.00", "USD", pm)
    assert len(st.stripe_intents(stripe_sdk)) == 1  # the card was tried once
    [row] = _ledger_rows(manager)
    assert row.status == "declined" and row.provider_id
