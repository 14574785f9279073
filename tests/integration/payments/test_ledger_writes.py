"""The ledger's batch write path on real SQLite: new rows reach the table, its search index and the
rollups in one statement, and read back exactly as rows written one at a time.

FTS5 flushes its pending terms into a new segment at every statement savepoint, so a batch sent
as an ``executemany`` (one statement per row) cost the index one segment and its merges per row:
100,000 upserts took half an hour. The SQLite trace callback shows each statement as it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from app.payments.model import Provider, SummaryBy, TxnStatus
from services.payments.ledger import Ledger, TxnFilter, list_txns, summary, summary_from_ledger, to_domain
from services.payments.models import TransactionRecord
from services.payments.providers.base import RemoteBalance, RemoteChargeUpdate, RemoteTxn

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


@pytest.mark.sqlite_only
def test_a_batch_of_new_rows_creates_no_table_to_stage_them(services: Any) -> None:
    with _traced(services.ctx.engine) as seen:
        _upsert(services, [_txn(i) for i in range(300)])
    ddl = [sql.split("(")[0] for sql in seen if sql.lstrip().upper().startswith(("CREATE", "DROP"))]
    assert ddl == []


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


def _loads(services: Any, work: Any) -> int:
    """How many ledger rows ``work(ledger)`` made into session objects (the ORM's load event), in one unit of work."""
    loaded: list[object] = []

    def on_load(target: object, _context: object) -> None:
        loaded.append(target)

    event.listen(TransactionRecord, "load", on_load)
    try:
        with services.ctx.new_uow() as uow:
            ledger = Ledger(uow.session, NOW)
            work(ledger)
            ledger.flush_totals()
            uow.commit()
    finally:
        event.remove(TransactionRecord, "load", on_load)
    return len(loaded)


def test_charges_and_fees_of_a_page_change_rows_without_session_objects(services: Any) -> None:
    """A sync matches thousands of rows by charge; making each a session object cost more than its SQL."""
    _upsert(services, [_txn(i) for i in range(40)])

    def page(ledger: Ledger) -> None:
        ledger.apply_charges([RemoteChargeUpdate(f"pi_{i}", f"ch_{i}", 100 if i % 4 == 0 else 0, True)
                              for i in range(40)], Provider.STRIPE)
        ledger.apply_balances([RemoteBalance(Provider.STRIPE, f"txn_{i}", f"ch_{i}", "charge", 500 + i, 30 + i,
                                             470, "USD", "available", NOW) for i in range(40)])

    assert _loads(services, page) == 0
    with services.ctx.new_uow() as uow:
        rows = {r.provider_id: r for r in uow.session.query(TransactionRecord)}
        assert (rows["pi_4"].refunded_amount, rows["pi_4"].status, rows["pi_4"].fee) == (100, "partially_refunded", 34)
        assert (rows["pi_5"].refunded_amount, rows["pi_5"].status, rows["pi_5"].fee) == (0, "succeeded", 35)
        for by in SummaryBy:
            assert summary(uow.session, by) == summary_from_ledger(uow.session, by), by


def test_a_row_changed_in_the_session_then_by_a_charge_keeps_both_changes(services: Any) -> None:
    _upsert(services, [_txn(1)])

    def page(ledger: Ledger) -> None:
        ledger.upsert_txns([replace(_txn(1), description="renamed")])  # a session object, changed, not flushed
        ledger.apply_charges([RemoteChargeUpdate("pi_1", "ch_1", 200, True)], Provider.STRIPE)
        [held] = ledger.session.query(TransactionRecord).all()
        assert (held.description, held.refunded_amount) == ("renamed", 200)  # read again, not the stale object

    _loads(services, page)
    with services.ctx.new_uow() as uow:
        [row] = uow.session.query(TransactionRecord).all()
        assert (row.description, row.refunded_amount, row.status) == ("renamed", 200, "partially_refunded")
        assert summary(uow.session, SummaryBy.DAY) == summary_from_ledger(uow.session, SummaryBy.DAY)
