"""Real SQLite files: events survive a restart; a failed transaction publishes nothing; WAL and FKs on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from app.events import AppStarted, Event, SettingsChanged
from services.bootstrap import Services
from services.db.models import SettingRecord
from services.events.store import EventQuery


@pytest.mark.sqlite_only
def test_events_survive_restart(make_services: Callable[..., Services], data_dir: Path) -> None:
    first = make_services()
    first.bus.publish_batch([AppStarted(version=str(i)) for i in range(3)])
    first.close()
    second = make_services()
    stored = second.bus.history(EventQuery(limit=0, oldest_first=True))
    assert [s.event.version for s in stored if isinstance(s.event, AppStarted)] == ["0", "1", "2"]
    # and the file really is SQLite in WAL mode with the tables of every head
    conn = sqlite3.connect(data_dir / "trendforge.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 3
    finally:
        conn.close()


def test_failed_transaction_publishes_nothing(services: Services) -> None:
    seen: list[Event] = []
    services.bus.published.connect(seen.append)
    with pytest.raises(Exception), services.ctx.new_uow() as uow:
        uow.session.add(SettingRecord(key="dup", value=1))
        uow.session.flush()
        uow.record(SettingsChanged(keys=("dup",)))
        uow.session.add(SettingRecord(key="dup", value=2))  # primary key clash
        uow.commit()
    assert seen == []
    assert services.bus.history() == []
    with services.ctx.new_uow() as uow:
        assert uow.session.get(SettingRecord, "dup") is None


@pytest.mark.sqlite_only
def test_foreign_keys_pragma_is_on(services: Services) -> None:
    with services.ctx.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_are_idempotent(make_services: Callable[..., Services]) -> None:
    make_services().close()
    again = make_services()  # upgrade at start-up again: nothing to do, nothing broken
    assert again.health()["status"] in {"ok", "degraded"}
