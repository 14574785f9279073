"""Removing transactions from the ledger on real SQLite: the rows, their search entries and their
part of the rollups go together; what is left reads as if the removed rows were never stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.payments.model import Provider, SummaryBy, TxnStatus
from services.payments.ledger import Ledger, TxnFilter, count_txns, list_txns, summary, summary_from_ledger
from services.payments.models import TransactionRecord
from services.payments.providers.base import RemoteTxn

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _txn(i: int, prefix: str) -> RemoteTxn:
    status = TxnStatus.DECLINED if i % 5 == 0 else TxnStatus.SUCCEEDED  # declined rows are not in the rollups
    return RemoteTxn(provider=Provider.STRIPE, provider_id=f"{prefix}_{i}", status=status, amount=500 + i,
                     currency="USD" if i % 2 else "EUR", created_at=NOW - timedelta(hours=i),
                     template_id=f"tpl-{i % 3}", charge_id=f"ch_{prefix}_{i}", description=f"coffee {prefix} {i}")


def _store(services: Any) -> None:
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, NOW)
        ledger.upsert_txns([_txn(i, "keep") for i in range(60)] + [_txn(i, "drop") for i in range(40)])
        ledger.flush_totals()
        uow.commit()


def test_forgotten_rows_leave_the_table_the_index_and_the_rollups(services: Any) -> None:
    _store(services)
    with services.ctx.new_uow() as uow:
        gone = Ledger(uow.session, NOW).forget(TransactionRecord.provider_id.like("drop\\_%", escape="\\"))
        uow.commit()
    assert gone == 40
    with services.ctx.new_uow() as uow:
        assert count_txns(uow.session, TxnFilter()) == 60
        assert count_txns(uow.session, TxnFilter(search="drop")) == 0
        assert {t.provider_id for t in list_txns(uow.session, TxnFilter(search="coffee", limit=500))} == {
            f"keep_{i}" for i in range(60)}
        for by in (SummaryBy.DAY, SummaryBy.MONTH, SummaryBy.TEMPLATE, SummaryBy.CURRENCY):
            assert summary(uow.session, by) == summary_from_ledger(uow.session, by), by


def test_forgetting_nothing_changes_nothing(services: Any) -> None:
    _store(services)
    with services.ctx.new_uow() as uow:
        before = summary(uow.session, SummaryBy.MONTH)
        assert Ledger(uow.session, NOW).forget(TransactionRecord.provider_id == "absent") == 0
        uow.commit()
    with services.ctx.new_uow() as uow:
        assert summary(uow.session, SummaryBy.MONTH) == before
        assert count_txns(uow.session, TxnFilter()) == 100
