"""The ledger's batch write path on real SQLite: new rows reach the table, its search index and the
rollups in one statement, and read back exactly as rows written one at a time.

FTS5 flushes its pending terms into a new segment at every statement savepoint, so a batch sent
as an ``executemany`` (one statement per row) cost the index one segment and its merges per row:
100,000 upserts took half an hour. The SQLite trace callback shows each statement as it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from app.payments.model import Provider, TxnStatus
from services.payments.ledger import Ledger, TxnFilter, list_txns, to_domain
from services.payments.models import TransactionRecord
from services.payments.providers.base import RemoteTxn

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _txn(i: int) -> RemoteTxn:
    return RemoteTxn(provider=Provider.STRIPE, provider_id=f"pi_{i}", status=TxnStatus.SUCCEEDED, amount=500 + i,
                     currency="USD", created_at=NOW - timedelta(minutes=i), template_id=f"tpl-{i % 4}",
                     charge_id=f"ch_{i}", description=f"coffee timer {i}", meta={"n": i, "note": "ünïcode"})


def _upsert(services: Any, txns: list[RemoteTxn]) -> None:
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, NOW)
        ledger.upsert_txns(txns)
        ledger.flush_totals()
        uow.commit()


@contextmanager
def _traced(engine: Any) -> Iterator[list[str]]:
    """The SQL of every statement SQLite starts on the engine's connections (one line per run)."""
    seen: list[str] = []

    def on_connect(dbapi: Any, _record: Any) -> None:
        dbapi.set_trace_callback(seen.append)

    engine.dispose()
    event.listen(engine, "connect", on_connect)
    try:
        yield seen
    finally:
        event.remove(engine, "connect", on_connect)
        engine.dispose()


@pytest.mark.sqlite_only  # SQLite's per-statement FTS5 flush (PostgreSQL's search column has none)
def test_a_batch_of_new_rows_is_one_insert_into_the_ledger(services: Any) -> None:
    with _traced(services.ctx.engine) as seen:
        _upsert(services, [_txn(i) for i in range(300)])
    runs = {sql for sql in seen if sql.startswith("INSERT INTO payment_transactions ")}
    assert len(runs) == 1, f"{len(runs)} distinct INSERTs into the ledger for one batch of 300"


def test_batch_rows_read_back_as_rows_written_one_at_a_time(services: Any) -> None:
    _upsert(services, [_txn(i) for i in range(50)])
    _upsert(services, [_txn(50)])  # a batch of one: the plain INSERT
    with services.ctx.new_uow() as uow:
        rows = {r.provider_id: to_domain(r) for r in uow.session.query(TransactionRecord)}
    assert len(rows) == 51
    for i in (0, 49, 50):
        t = rows[f"pi_{i}"]
        assert (t.amount, t.created_at, t.meta, t.description, t.template_id) == (
            500 + i, NOW - timedelta(minutes=i), {"n": i, "note": "ünïcode"}, f"coffee timer {i}", f"tpl-{i % 4}")


@pytest.mark.sqlite_only  # FTS5's own integrity check (PostgreSQL: a generated column cannot disagree)
def test_batch_rows_are_in_the_search_index(services: Any) -> None:
    _upsert(services, [_txn(i) for i in range(200)])
    with services.ctx.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO payment_transactions_fts(payment_transactions_fts, rank) "
                             "VALUES ('integrity-check', 1)")  # raises if the index and the table disagree
    with services.ctx.new_uow() as uow:
        found = list_txns(uow.session, TxnFilter(search="pi_137"))
    assert [t.provider_id for t in found] == ["pi_137"]


def test_a_batch_mixing_providers_stores_each_row_under_its_own_provider(services: Any) -> None:
    stripe = [_txn(i) for i in range(3)]
    gumroad = [RemoteTxn(provider=Provider.GUMROAD, provider_id=f"sale_{i}", status=TxnStatus.SUCCEEDED,
                         amount=900, currency="USD", created_at=NOW - timedelta(hours=i)) for i in range(2)]
    _upsert(services, [stripe[0], gumroad[0], stripe[1], gumroad[1], stripe[2]])
    _upsert(services, [gumroad[1], stripe[2]])  # the same objects again: matched under their own provider
    with services.ctx.new_uow() as uow:
        stored = sorted((r.provider, r.provider_id) for r in uow.session.query(TransactionRecord))
    assert stored == [("gumroad", "sale_0"), ("gumroad", "sale_1"),
                      ("stripe", "pi_0"), ("stripe", "pi_1"), ("stripe", "pi_2")]
