"""Ledger queries at scale: full-text search kept in step by the ledger's writes, and their plans.

A real app on a temp data dir; rows go in through the ledger's own write path (``upsert_txns``),
then ANALYZE as after a bulk import, so the planner decides as it would on a studio's ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from app.payments.model import Provider, TxnStatus
from services.db.plans import query_plan, recorded_statements
from services.payments.ledger import BROAD_SEARCH, Ledger, TxnFilter, count_txns, list_statement, list_txns
from services.payments.providers.base import RemoteTxn

NOW = datetime.now(UTC).replace(microsecond=0)  # template stats count the last 30 days of the real clock
ROWS = 6000


def _txn(i: int) -> RemoteTxn:
    return RemoteTxn(provider=Provider.STRIPE if i % 3 else Provider.GUMROAD, provider_id=f"obj_{i}",
                     status=TxnStatus.SUCCEEDED if i % 7 else TxnStatus.DECLINED, amount=500 + i, currency="USD",
                     created_at=NOW - timedelta(minutes=i), template_id=f"tpl-{i % 40}", charge_id=f"ch_{i}",
                     description=f"Sale of template {i % 40} via checkout")


@pytest.fixture
def ledger_app(services: Any) -> Any:
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, NOW)
        ledger.upsert_txns([_txn(i) for i in range(ROWS)])
        ledger.flush_totals()
        uow.commit()
    with services.ctx.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return services


def _plan(app: Any, f: TxnFilter, *, broad: bool = False) -> list[str]:
    with app.ctx.engine.connect() as conn:
        return query_plan(conn, list_statement(f, broad=broad))


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_rare_search_reads_its_matches_from_the_fulltext_index(ledger_app: Any) -> None:
    plan = _plan(ledger_app, TxnFilter(search="obj_4242"))
    assert any("payment_transactions_fts VIRTUAL TABLE" in line for line in plan), plan
    assert any("USING INTEGER PRIMARY KEY (rowid=?)" in line for line in plan), plan
    assert not any("USING INDEX ix_payment_transactions_created" in line for line in plan), plan


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_broad_search_walks_newest_first_and_probes_the_matches(ledger_app: Any) -> None:
    plan = _plan(ledger_app, TxnFilter(search="sale"), broad=True)
    assert any("ix_payment_transactions_created" in line for line in plan), plan
    assert not any("USING INTEGER PRIMARY KEY (rowid=?)" in line for line in plan), plan


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
@pytest.mark.parametrize(("field", "value", "index"), [
    ("provider", "gumroad", "ix_payment_transactions_provider_created"),
    ("template_id", "tpl-3", "ix_payment_transactions_template_created_status"),
    ("currency", "USD", "ix_payment_transactions_currency_created"),
])
def test_filters_walk_an_index_in_created_order(ledger_app: Any, field: str, value: str, index: str) -> None:
    plan = _plan(ledger_app, TxnFilter(**{field: value}))
    assert any(f"USING INDEX {index}" in line or f"USING COVERING INDEX {index}" in line for line in plan), plan
    assert not any("FOR ORDER BY" in line and "RIGHT PART" not in line for line in plan), plan


def test_search_finds_provider_ids_by_prefix_newest_first(ledger_app: Any) -> None:
    with ledger_app.ctx.new_uow() as uow:
        found = list_txns(uow.session, TxnFilter(search="obj_424", limit=50))
    assert [t.provider_id for t in found] == ["obj_424"] + [f"obj_{n}" for n in range(4240, 4250)]


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_broad_search_pages_match_the_narrow_plan(ledger_app: Any) -> None:
    f = TxnFilter(search="checkout", limit=30, offset=10)
    assert BROAD_SEARCH < ROWS
    with ledger_app.ctx.new_uow() as uow:
        broad = list(uow.session.scalars(list_statement(f, broad=True)))
        narrow = list(uow.session.scalars(list_statement(f, broad=False)))
        assert [r.id for r in broad] == [r.id for r in narrow]
        assert [t.id for t in list_txns(uow.session, f)] == [r.id for r in broad]


def test_search_counts_every_match(ledger_app: Any) -> None:
    with ledger_app.ctx.new_uow() as uow:
        assert count_txns(uow.session, TxnFilter(search="template 7 via")) == ROWS // 40


def test_index_follows_updates_in_the_same_transaction(ledger_app: Any) -> None:
    with ledger_app.ctx.new_uow() as uow:
        uow.session.execute(text("UPDATE payment_transactions SET description = 'refund for walrus' "
                                 "WHERE provider_id = 'obj_17'"))
        assert [t.provider_id for t in list_txns(uow.session, TxnFilter(search="walrus"))] == ["obj_17"]
        assert list_txns(uow.session, TxnFilter(search="obj_17 sale")) == []
        uow.rollback()
    with ledger_app.ctx.new_uow() as uow:
        assert list_txns(uow.session, TxnFilter(search="walrus")) == []


def test_punctuation_only_search_matches_as_typed(ledger_app: Any) -> None:
    with ledger_app.ctx.new_uow() as uow:
        assert count_txns(uow.session, TxnFilter(search="_")) == ROWS


def test_template_stats_find_recent_and_last_sales(ledger_app: Any) -> None:
    stats = ledger_app.payments.template_stats(["tpl-3"])["tpl-3"]
    # tpl-3 sells at minutes 3, 43, 83, ... before NOW; i % 7 == 0 ones were declined
    assert stats["last_activity"].replace(tzinfo=UTC) == NOW - timedelta(minutes=3)
    captured = [i for i in range(3, ROWS, 40) if i % 7]
    assert stats["sales"] == len(captured) and stats["recent_sales"] == len(captured)


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_template_stats_read_only_the_covering_index(ledger_app: Any) -> None:
    with recorded_statements(ledger_app.ctx.engine) as recorded:
        ledger_app.payments.template_stats(["tpl-3", "tpl-4"])
    seen = [(q, p) for q, p in recorded if q.lstrip().upper().startswith("SELECT") and "FROM payment_transactions" in q]
    assert seen
    with ledger_app.ctx.engine.connect() as conn:
        for sql, params in seen:
            plan = query_plan(conn, sql, params)
            assert any("COVERING INDEX ix_payment_transactions_template_created_status" in p for p in plan), (sql, plan)
            assert not any(p.startswith("SCAN") for p in plan), (sql, plan)


def test_a_listed_page_reads_rows_not_session_objects(ledger_app: Any) -> None:
    # a page of 1,000 made as many session-tracked objects (two thirds of its time); the rows are enough
    from sqlalchemy import event

    from services.payments.models import TransactionRecord

    loaded: list[object] = []

    def on_load(target: object, _context: object) -> None:
        loaded.append(target)

    event.listen(TransactionRecord, "load", on_load)
    try:
        with ledger_app.ctx.new_uow() as uow:
            page = list_txns(uow.session, TxnFilter(limit=1000))
    finally:
        event.remove(TransactionRecord, "load", on_load)
    assert len(page) == 1000
    assert loaded == []


def test_a_listed_page_holds_what_the_ledger_rows_hold(ledger_app: Any) -> None:
    from services.payments.ledger import to_domain

    f = TxnFilter(provider="gumroad", limit=300)
    with ledger_app.ctx.new_uow() as uow:
        as_objects = [to_domain(r) for r in uow.session.scalars(list_statement(f))]
    with ledger_app.ctx.new_uow() as uow:
        assert list_txns(uow.session, f) == as_objects
