"""Event log queries at scale: plans that stop after one page, and full-text payload search.

Real SQLite in a temp dir, migrated like the app's, a few thousand events of several types,
then ANALYZE (as start-up does after migrations) so the planner decides as it would at a studio.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.events import Event, event_type
from services.db import migrate
from services.db.base import UTCDateTime, make_engine, sqlite_url
from services.db.plans import query_plan
from services.events.store import EventQuery, EventStore, _timestamp_text
from tests.support.backends import StoreBackend, engine_url


@event_type("test.charged")
@dataclasses.dataclass(frozen=True, kw_only=True)
class Charged(Event):
    txn: str = ""
    note: str = ""


@event_type("test.built")
@dataclasses.dataclass(frozen=True, kw_only=True)
class Built(Event):
    build: str = ""


@pytest.fixture
def engine(tmp_path: Path, backend: StoreBackend) -> Iterator[Engine]:
    eng = make_engine(engine_url(backend, tmp_path / "events.db"))
    migrate.upgrade(eng)
    store = EventStore(eng)
    with eng.begin() as conn:
        events: list[Event] = []
        for i in range(4000):
            if i % 10 == 0:
                events.append(Built(build=f"b{i}", source="builds", correlation_id=f"run-{i % 50}"))
            else:
                events.append(Charged(txn=f"obj_{i}", note="Café order", source="payments"))
        store.append(conn, events)
        conn.exec_driver_sql("ANALYZE")
    yield eng
    eng.dispose()


def _plan(engine: Engine, query: EventQuery) -> list[str]:
    with engine.connect() as conn:
        return query_plan(conn, EventStore(engine).history_statement(query))


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_type_filter_walks_an_index_in_seq_order(engine: Engine) -> None:
    plan = _plan(engine, EventQuery(types=("test.built",)))
    assert any("USING INDEX ix_events_type_seq" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_source_filter_walks_an_index_in_seq_order(engine: Engine) -> None:
    plan = _plan(engine, EventQuery(source="builds"))
    assert any("USING INDEX ix_events_source" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_correlation_filter_walks_an_index_in_seq_order(engine: Engine) -> None:
    plan = _plan(engine, EventQuery(correlation_id="run-3"))
    assert any("USING INDEX ix_events_correlation" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_search_walks_the_fulltext_index_newest_first(engine: Engine) -> None:
    plan = _plan(engine, EventQuery(search="obj_42", types=("test.charged",), before_seq=3000))
    assert plan[0].startswith("SCAN events_fts VIRTUAL TABLE"), plan
    assert any("events USING INTEGER PRIMARY KEY" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan


def test_search_finds_payload_words_by_prefix_newest_first(engine: Engine) -> None:
    found = EventStore(engine).history(EventQuery(search="obj_399", limit=0))
    txns = [e.event.payload()["txn"] for e in found]
    assert txns == ["obj_3999", "obj_3998", "obj_3997", "obj_3996", "obj_3995", "obj_3994", "obj_3993", "obj_3992",
                    "obj_3991", "obj_399"]
    assert [e.seq for e in found] == sorted((e.seq for e in found), reverse=True)


def test_search_ignores_case_and_accents(engine: Engine) -> None:
    assert len(EventStore(engine).history(EventQuery(search="CAFE", limit=5))) == 5


def test_search_sees_events_appended_after_the_last_search(engine: Engine) -> None:
    store = EventStore(engine)
    assert store.history(EventQuery(search="zebra")) == []
    with engine.begin() as conn:
        store.append(conn, [Charged(txn="zebra_1", source="payments")])
    assert [e.event.payload()["txn"] for e in store.history(EventQuery(search="zebra"))] == ["zebra_1"]


def test_search_pages_continue_below_the_last_seq(engine: Engine) -> None:
    store = EventStore(engine)
    first = store.history(EventQuery(search="cafe", limit=3))
    second = store.history(EventQuery(search="cafe", limit=3, before_seq=first[-1].seq))
    assert second and max(e.seq for e in second) < min(e.seq for e in first)


@pytest.mark.sqlite_only  # the FTS5 table filled from rows already there (PostgreSQL: a generated column)
def test_migration_indexes_events_that_were_already_there(tmp_path: Path) -> None:
    eng = make_engine(sqlite_url(tmp_path / "old.db"))
    from alembic import command

    cfg = migrate._alembic_config()
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn  # type: ignore[attr-defined]
        command.upgrade(cfg, "0001_foundation")  # type: ignore[arg-type]
        # written as that schema holds it (today's store also writes the actor, a later revision's column)
        conn.exec_driver_sql(
            "INSERT INTO events (id, type, source, timestamp, correlation_id, causation_id, payload) "
            "VALUES ('e1', 'test.charged', 'payments', '2026-01-01 00:00:00.000000', NULL, NULL, '{\"txn\":\"legacy_7\"}')")
    migrate.upgrade(eng)
    with eng.connect() as conn:
        hits = conn.exec_driver_sql("SELECT count(*) FROM events_fts WHERE events_fts MATCH 'legacy*'").scalar_one()
    assert hits == 1


@pytest.mark.parametrize("moment", [
    datetime(2026, 3, 1, 12, 30, 5, 7, tzinfo=UTC),
    datetime(2026, 3, 1, 12, 30, 5, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 3, 1, 0, 0),
])
def test_stored_timestamp_text_is_what_sqlalchemy_writes(moment: datetime) -> None:
    naive = UTCDateTime().process_bind_param(moment, None)  # type: ignore[arg-type]
    assert naive is not None
    assert _timestamp_text(moment) == naive.strftime("%Y-%m-%d %H:%M:%S.%f")
