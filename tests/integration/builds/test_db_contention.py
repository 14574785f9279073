"""Builds next to other writers: a real second SQLite connection holding the write lock, and two
processes starting builds at once.

The lock is taken with ``BEGIN IMMEDIATE`` on a plain ``sqlite3`` connection to the app's own
database file, as a backup tool or a DB browser would hold it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.builds.model import BuildState
from services.bootstrap import Services
from services.builds.runner import BuildJob
from services.builds.service import BuildsService
from tests.support.qasync_loop import build_ended

ROOT = Path(__file__).resolve().parents[3]


class WriteLock:
    """Another process-like writer: holds the database's write lock from ``take()`` for ``hold_s``."""

    def __init__(self, db_path: Path, hold_s: float) -> None:
        self._conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=10)
        self.hold_s = hold_s
        self.taken_at: float | None = None
        self.released_at: float | None = None
        self._timer: threading.Timer | None = None

    def take(self, *_: Any) -> None:
        if self.taken_at is not None:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self.taken_at = time.monotonic()
        self._timer = threading.Timer(self.hold_s, self.release)
        self._timer.daemon = True
        self._timer.start()

    def release(self) -> None:
        if self.released_at is None and self.taken_at is not None:
            self._conn.execute("ROLLBACK")
            self.released_at = time.monotonic()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.release()
        self._conn.close()


@pytest.fixture
def write_lock(services: Services) -> Any:
    made: list[WriteLock] = []

    def make(hold_s: float) -> WriteLock:
        lock = WriteLock(services.config.db_path, hold_s)
        made.append(lock)
        return lock

    yield make
    for lock in made:
        lock.close()


@pytest.mark.sqlite_only  # SQLite's file lock, taken by a plain sqlite3 connection
def test_a_write_lock_held_for_8s_mid_build_delays_the_build_and_it_still_signs(
        builds: BuildsService, services: Services, write_lock: Any) -> None:
    lock = write_lock(8.0)
    # the first progress signal is on the Qt thread, before the next step's write: lock the database there
    builds.runner.progressed.connect(lock.take)
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk").id, 90)
    assert lock.taken_at is not None and lock.released_at is not None
    assert done.state is BuildState.SIGNED, done.error
    assert done.finished_at is not None
    types = [e.event.type for e in services.bus.history() if getattr(e.event, "build_id", None) == done.id]
    assert "build.signed" in types and "build.failed" not in types


@pytest.mark.sqlite_only  # SQLite's file lock, taken by a plain sqlite3 connection
def test_a_lock_held_past_the_retry_bound_ends_the_build_with_a_clear_error(
        builds: BuildsService, write_lock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BuildJob, "PERSIST_FOR_S", 1.5)
    lock = write_lock(30.0)
    builds.runner.progressed.connect(lock.take)
    started = time.monotonic()
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk").id, 60)
    assert lock.released_at is None  # the build ended while the lock was still held
    assert time.monotonic() - started < 30
    assert done.state is BuildState.FAILED
    assert done.error is not None
    assert done.error.startswith("could not record the build's progress (still busy after 1.5s): ")
    assert "database is locked" in done.error


RACE = r'''
import pathlib, sys, time
from PySide6.QtCore import QCoreApplication
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore

data, gate, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
app = QCoreApplication([])
manager = bootstrap(AppConfig.from_env(data), secrets=MemorySecretStore())
builds = manager.builds
deadline = time.monotonic() + 60
while not gate.exists():
    assert time.monotonic() < deadline
    time.sleep(0.005)
for i in range(n):
    # every other build is the first of a new application id, in both processes at once
    builds.start_build("quotes-daily", "1.0.0", "web", application_id=f"com.race.app{i // 2}")
print("ok", flush=True)
manager.close()
'''


@pytest.mark.slow
def test_two_processes_starting_builds_at_once_never_share_a_version_code(
        services: Services, tmp_path: Path) -> None:
    result = services.templates.import_path(ROOT / "resources" / "samples" / "quotes-daily")
    assert not getattr(result, "error", None)
    script = tmp_path / "race.py"
    script.write_text(RACE)
    gate = tmp_path / "gate"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("TRENDFORGE_HOME", None)
    n = 300
    procs = [subprocess.Popen([sys.executable, str(script), str(services.config.data_dir), str(gate), str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    time.sleep(0.1)
    gate.touch()
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "ok"
        assert "IntegrityError" not in err
    codes: dict[str, list[int]] = defaultdict(list)
    with services.ctx.engine.connect() as conn:  # either backend: the store both processes share
        for app_id, code in conn.execute(text(
                "SELECT application_id, version_code FROM builds WHERE application_id LIKE 'com.race.%'")):
            codes[app_id].append(code)
    assert sum(len(v) for v in codes.values()) == 2 * n
    shared = {app_id: sorted(v) for app_id, v in codes.items() if len(set(v)) != len(v)}
    assert shared == {}
    assert all(len(v) == 4 for v in codes.values())  # two builds of each id in each process


@pytest.mark.sqlite_only  # SQLite's file lock, taken by a plain sqlite3 connection
def test_a_write_that_fails_for_good_ends_the_build_with_the_error_instead_of_freezing_it(
        builds: BuildsService, services: Services) -> None:
    # A full disk cannot be made here; SQLite refusing the writes (an authorizer on the app's own
    # connections) fails them for good the same way: not "busy", so not retried.
    from sqlalchemy import event

    engine = services.ctx.engine
    refuse = {"on": False}

    def deny_events(action: int, table: str | None, *_: Any) -> int:
        return sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_INSERT and table == "events" else sqlite3.SQLITE_OK

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_authorizer(deny_events if refuse["on"] else None)

    event.listen(engine, "checkout", on_checkout)
    try:
        builds.runner.job_started.connect(lambda *_: refuse.update(on=True))
        started = time.monotonic()
        done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk").id, 120)
    finally:
        event.remove(engine, "checkout", on_checkout)
    assert time.monotonic() - started < 60  # not retried for the busy bound, and no wait for --timeout
    assert done.state is BuildState.FAILED
    assert done.error == "could not record the build's progress: not authorized"
