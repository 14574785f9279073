"""Stripe through the official SDK against localstripe on 127.0.0.1 (started per test)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.errors import ProviderError, UserError
from app.payments.model import TxnStatus
from app.remedies import SetCredential
from services.events.store import EventQuery
from services.payments.ledger import TxnFilter
from services.payments.models import DailyTotalRecord, TransactionRecord
from services.payments.service import PaymentDeclinedError
from tests.support import payments_standins as st

STRIPE_KEY, card_pm, stripe_intents = st.STRIPE_KEY, st.card_pm, st.stripe_intents


def _types(manager: Any) -> list[str]:
    return [s.event.type for s in manager.bus.history(EventQuery(types=["payment.*", "provider.*"], oldest_first=True))]


def _rows(manager: Any) -> int:
    with manager.ctx.new_uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(TransactionRecord)) or 0)


def test_charge_succeeds_with_metadata_and_one_ledger_row(stripe_app: Any, stripe_sdk: Any) -> None:
    manager, svc = stripe_app
    t = svc.charge("stripe", "tpl-flash", "9.99", "USD")
    assert t.status is TxnStatus.SUCCEEDED
    assert t.amount == 999 and t.currency == "USD" and t.template_id == "tpl-flash"
    assert t.provider_id and t.provider_id.startswith("pi_")
    intents = stripe_intents(stripe_sdk)
    assert [i.id for i in intents] == [t.provider_id]
    assert intents[0].metadata["trendforge_id"] == t.id  # the local id travels in metadata
    assert _rows(manager) == 1
    assert "payment.charged" in _types(manager)
    [row] = svc.summary("template")
    assert (row.key, row.currency, row.count, row.gross, row.net) == ("tpl-flash", "USD", 1, 999, 999)


def test_decline_is_recorded_with_its_reason(stripe_app: Any, stripe_sdk: Any) -> None:
    manager, svc = stripe_app
    pm = card_pm(stripe_sdk, "4000000000000341")
    with pytest.raises(PaymentDeclinedError, match="declined"):
        svc.charge("stripe", "tpl-1", "5.00", "USD", pm)
    [t] = svc.failed()
    assert t.status is TxnStatus.DECLINED
    assert t.failure_code == "card_declined"
    assert "payment.declined" in _types(manager)
    assert svc.summary("provider") == []  # a decline is not revenue


def test_three_d_secure_leaves_requires_action(stripe_app: Any, stripe_sdk: Any) -> None:
    manager, svc = stripe_app
    pm = card_pm(stripe_sdk, "4000000000003220")
    t = svc.charge("stripe", None, "12.00", "EUR", pm)
    assert t.status is TxnStatus.REQUIRES_ACTION
    assert t.failure_code == "authentication_required"
    assert "authenticate" in (t.failure_message or "")
    assert [x.id for x in svc.failed()] == [t.id]
    assert "payment.action_required" in _types(manager)


def test_refund_partial_then_full_never_more_than_captured(stripe_app: Any, stripe_sdk: Any) -> None:
    manager, svc = stripe_app
    t = svc.charge("stripe", "tpl-1", "9.99", "USD")
    r1 = svc.refund(t.id, "3.00")
    assert r1.remote and r1.amount == 300
    assert r1.transaction.status is TxnStatus.PARTIALLY_REFUNDED and r1.transaction.refunded_amount == 300
    with pytest.raises(UserError, match=r"only 6\.99 USD"):
        svc.refund(t.id, "7.00")
    r2 = svc.refund(t.id)  # the rest
    assert r2.amount == 699
    assert r2.transaction.status is TxnStatus.REFUNDED and r2.transaction.refunded_amount == 999
    with pytest.raises(UserError, match="already fully refunded"):
        svc.refund(t.id, "0.01")
    refunds = stripe_sdk.v1.refunds.list(params={"limit": 100}).data
    assert sorted(r.amount for r in refunds) == [300, 699]
    [row] = svc.summary("provider")
    assert (row.gross, row.refunds, row.net) == (999, 999, 0)
    assert _types(manager).count("payment.refunded") == 2
    # a sync afterwards agrees and adds nothing
    [rep] = svc.sync("stripe")
    assert rep.added == 0
    assert svc.get(t.id).refunded_amount == 999


def test_sync_of_many_pages_then_again_adds_nothing(stripe_app: Any, stripe_sdk: Any) -> None:
    manager, svc = stripe_app
    svc.page_size = 7
    made = []
    for i in range(23):
        pi = stripe_sdk.v1.payment_intents.create(params={
            "amount": 100 + i, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
            "metadata": {"template_id": f"tpl-{i % 3}"}})
        made.append(pi.id)
    stripe_sdk.v1.refunds.create(params={"payment_intent": made[0], "amount": 50})
    [rep] = svc.sync("stripe")
    assert rep.error is None
    assert rep.added == 23 + 1  # 23 payments + 1 refund
    assert rep.pages >= 4 * 3  # payment intents, charges and balance transactions each span 4 pages
    assert _rows(manager) == 23
    rows = svc.list_transactions(TxnFilter(limit=100))
    assert {r.provider_id for r in rows} == set(made)
    first = next(r for r in rows if r.provider_id == made[0])
    assert first.refunded_amount == 50 and first.status is TxnStatus.PARTIALLY_REFUNDED
    totals = {r.key: r.gross for r in svc.summary("template")}
    assert totals == {f"tpl-{k}": sum(100 + i for i in range(23) if i % 3 == k) for k in range(3)}

    [again] = svc.sync("stripe")
    assert (again.added, again.updated) == (0, 0)
    assert _rows(manager) == 23
    with manager.ctx.new_uow() as uow:
        assert uow.session.scalar(select(func.sum(DailyTotalRecord.count))) == 23
    assert "payment.synced" in _types(manager)


def test_sync_adopts_a_declined_charge_instead_of_duplicating_it(stripe_app: Any, stripe_sdk: Any) -> None:
    manager, svc = stripe_app
    pm = card_pm(stripe_sdk, "4000000000000341")
    with pytest.raises(PaymentDeclinedError):
        svc.charge("stripe", None, "5.00", "USD", pm)
    svc.sync("stripe")
    assert _rows(manager) == len(stripe_intents(stripe_sdk)) == 1
    [t] = svc.list_transactions()
    assert t.status is TxnStatus.DECLINED and t.provider_id


def test_missing_credential_is_a_clear_error(pay: Any, localstripe_url: str) -> None:
    _manager, svc = pay(TRENDFORGE_STRIPE_BASE_URL=localstripe_url)
    with pytest.raises(UserError, match="no stripe credential stored") as refused:
        svc.charge("stripe", None, "1.00", "USD")
    assert refused.value.remedy == SetCredential("stripe")
    assert svc.list_transactions() == []


def test_bad_amount_writes_nothing(stripe_app: Any) -> None:
    _manager, svc = stripe_app
    for amount, currency in (("9.999", "USD"), ("abc", "USD"), ("-1", "USD"), ("1.5", "JPY")):
        with pytest.raises(UserError):
            svc.charge("stripe", None, amount, currency)
    assert svc.list_transactions() == []
    assert STRIPE_KEY not in repr(svc.list_transactions())


def test_template_product_then_sync_maps_it(stripe_app: Any, stripe_sdk: Any) -> None:
    _manager, svc = stripe_app
    made = svc.create_template_product("tpl-quotes", "Quotes Daily")
    assert made["product_id"].startswith("prod_")
    product = stripe_sdk.v1.products.retrieve(made["product_id"])
    assert product.metadata["template_id"] == "tpl-quotes"
    [rep] = svc.sync("stripe")
    assert rep.error is None
    [row] = [p for p in svc.products() if p["provider"] == "stripe"]
    assert (row["product_id"], row["template_id"], row["name"]) == (made["product_id"], "tpl-quotes", "Quotes Daily")
    # localstripe has no Prices API: asking for a price is a clear provider error, and no product row is half-written
    with pytest.raises(ProviderError, match="stripe refused"):
        svc.create_template_product("tpl-x", "X", "4.99", "USD")
