"""Two machines on one PostgreSQL: what one commits reaches the other's bus through LISTEN/NOTIFY.

Each "machine" is a whole app with its own data dir on the same database (the test cluster's);
the second one's watcher is started as the GUI runner starts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.events import Event
from services.bootstrap import Services, bootstrap
from services.config import AppConfig
from services.events.other_writers import OtherWriters
from services.secrets import MemorySecretStore

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"

Machine = Callable[[str], Services]


@pytest.fixture
def machine(pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Machine]:
    made: list[Services] = []

    def make(name: str) -> Services:
        monkeypatch.setenv("TRENDFORGE_ACTOR", f"maker@{name}")
        config = AppConfig.from_env(tmp_path / name, database=pg_database)
        config.log_to_file = False
        made.append(bootstrap(config, secrets=MemorySecretStore()))
        return made[-1]

    yield make
    for m in made:
        m.close()


def test_an_import_on_one_machine_is_published_on_the_other(qtbot: QtBot, machine: Machine) -> None:
    a, b = machine("studio-a"), machine("studio-b")
    watcher = OtherWriters.for_store(b.config, b.bus)
    watcher.start()
    seen: list[Event] = []
    b.bus.subscribe("template.*", seen.append)
    try:
        with qtbot.waitSignal(watcher.noticed, timeout=10_000):
            assert a.templates.import_paths([SAMPLE])[0].ok
        assert {e.type for e in seen} >= {"template.imported"}
        assert all(e.actor == "maker@studio-a" for e in seen)
        assert [t.id for t in b.templates.find()] == ["quotes-daily"]
    finally:
        watcher.stop()


def test_a_machines_own_events_are_not_published_twice(qtbot: QtBot, machine: Machine) -> None:
    a = machine("studio-a")
    watcher = OtherWriters.for_store(a.config, a.bus)
    watcher.start()
    seen: list[Event] = []
    a.bus.subscribe("template.*", seen.append)
    try:
        with qtbot.assertNotEmitted(watcher.noticed, wait=500):  # our own commit's notification is dropped
            a.templates.import_paths([SAMPLE])
        assert [e.type for e in seen].count("template.imported") == 1
    finally:
        watcher.stop()


def test_notifications_carry_ids_not_bodies(machine: Machine, pg_database: str) -> None:
    import psycopg

    a = machine("studio-a")
    conninfo = pg_database.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as listener:
        listener.execute("LISTEN trendforge_events")
        a.templates.import_paths([SAMPLE])
        payloads = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
    with a.ctx.engine.connect() as conn:
        ids = {str(r[0]) for r in conn.execute(text("SELECT id FROM events"))}
    assert payloads and all(set(p.split(",")) <= ids for p in payloads)
