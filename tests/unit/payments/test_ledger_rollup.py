"""The daily rollup always equals the figures computed straight from the ledger."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import inspect, select

from app.payments.model import Provider, SummaryBy, TxnStatus
from services.context import ServiceContext
from services.payments.ledger import Ledger, summary, summary_from_ledger
from services.payments.models import TransactionRecord
from services.payments.providers.base import RemoteBalance, RemoteChargeUpdate, RemoteRefund, RemoteTxn
from services.payments.stats import template_revenue
from services.ports import TemplateFigures


def _txn(i: int, status: TxnStatus = TxnStatus.SUCCEEDED, **kw: Any) -> RemoteTxn:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    fields: dict[str, Any] = {
        "provider": Provider.STRIPE, "provider_id": f"pi_{i}", "status": status, "amount": 1000 + i,
        "currency": "USD" if i % 2 else "EUR", "created_at": base + timedelta(days=i % 40, hours=i % 24),
        "template_id": f"tpl-{i % 4}", "charge_id": f"ch_{i}"}
    fields.update(kw)
    return RemoteTxn(**fields)


def test_rollup_matches_ledger_after_inserts_updates_refunds_and_fees(memory_context: ServiceContext) -> None:
    rng = random.Random(7)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with memory_context.new_uow() as uow:
        ledger = Ledger(uow.session, now)
        statuses = [TxnStatus.SUCCEEDED, TxnStatus.DECLINED, TxnStatus.PENDING, TxnStatus.SUCCEEDED]
        counts = ledger.upsert_txns([_txn(i, rng.choice(statuses)) for i in range(200)])
        assert counts.added == 200
        ledger.flush_totals()
        # second pass: statuses change (pending -> succeeded), refunds, fees
        counts = ledger.upsert_txns([_txn(i, TxnStatus.SUCCEEDED) for i in range(0, 200, 3)])
        ledger.apply_charges([RemoteChargeUpdate(f"pi_{i}", f"ch_{i}", 100, True) for i in range(0, 200, 5)],
                             Provider.STRIPE)
        ledger.upsert_refunds([RemoteRefund(Provider.STRIPE, f"re_{i}", 300, "USD", "succeeded", now, f"pi_{i}")
                               for i in range(1, 200, 7)])
        ledger.apply_balances([RemoteBalance(Provider.STRIPE, f"txn_{i}", f"ch_{i}", "charge", 1000 + i, 59, 941 + i,
                                             "USD", "available", now) for i in range(0, 200, 2)])
        ledger.flush_totals()
        uow.commit()
    with memory_context.new_uow() as uow:
        for by in SummaryBy:
            fast = summary(uow.session, by)
            slow = summary_from_ledger(uow.session, by)
            assert fast == slow, by
            for kw in ({"provider": "stripe", "currency": "USD"}, {"since": "2026-01-05", "until": "2026-02-01"},
                       {"since": "2026-02-01"}, {"template_id": "tpl-1"}, {"template_id": "tpl-2", "since": "2026-01-09"}):
                assert summary(uow.session, by, **kw) == summary_from_ledger(uow.session, by, **kw), (by, kw)
        rows = list(uow.session.scalars(select(TransactionRecord)))
        assert all(0 <= r.refunded_amount <= r.amount for r in rows)
        assert any(r.status == TxnStatus.PARTIALLY_REFUNDED for r in rows)
        assert any(r.fee == 59 for r in rows)


def test_upsert_is_idempotent(memory_context: ServiceContext) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    batch = [_txn(i) for i in range(50)]
    for expected_added in (50, 0):
        with memory_context.new_uow() as uow:
            ledger = Ledger(uow.session, now)
            c = ledger.upsert_txns(batch)
            ledger.flush_totals()
            uow.commit()
        assert (c.added, c.updated) == (expected_added, 0)
    with memory_context.new_uow() as uow:
        assert summary(uow.session, SummaryBy.PROVIDER) == summary_from_ledger(uow.session, SummaryBy.PROVIDER)


def test_migration_creates_tables_and_indexes(memory_context: ServiceContext) -> None:
    insp = inspect(memory_context.engine)
    tables = set(insp.get_table_names())
    assert {"payment_transactions", "payment_refunds", "payment_balance_transactions", "payment_products",
            "payment_sync_cursors", "payment_provider_health", "payment_daily_totals", "payment_monthly_totals"} <= tables
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("payment_transactions")}
    assert ("provider", "provider_id") in uniques and ("idempotency_key",) in uniques
    indexes = {i["name"] for i in insp.get_indexes("payment_transactions")}
    assert {"ix_payment_transactions_provider_created", "ix_payment_transactions_status_created",
            "ix_payment_transactions_template_created_status"} <= indexes


def test_template_stats_source_reports_revenue(memory_context: ServiceContext) -> None:
    def source(ids: list[str]) -> dict[str, TemplateFigures]:  # what the composition root registers
        return template_revenue(memory_context, ids)

    now = memory_context.clock()
    with memory_context.new_uow() as uow:
        ledger = Ledger(uow.session, now)
        ledger.upsert_txns([
            _txn(1, created_at=now, template_id="tpl-a", currency="USD", amount=1000, fee=30),
            _txn(2, created_at=now, template_id="tpl-a", currency="EUR", amount=200),
            _txn(3, created_at=now, template_id="tpl-b", currency="USD", amount=500, status=TxnStatus.DECLINED),
        ])
        ledger.flush_totals()
        uow.commit()
    stats = source(["tpl-a", "tpl-b", "tpl-none"])
    assert set(stats) == {"tpl-a"}  # a declined charge is no revenue
    a = stats["tpl-a"]
    assert (a["revenue_minor"], a["currency"], a["sales"], a["recent_sales"]) == (970, "USD", 2, 2)
    assert {r["currency"] for r in a["revenue_by_currency"]} == {"USD", "EUR"}
