"""A superseded query is interrupted on its own connection; other threads' queries go on."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from services.db import cancel
from services.db.base import make_engine, sqlite_url

pytestmark = pytest.mark.sqlite_only  # about the embedded SQLite file itself

# counts to a billion: minutes of work unless interrupted
SLOW = "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000000000) SELECT count(*) FROM k"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(sqlite_url(tmp_path / "c.db"))


def _run(engine: Engine, token: cancel.QueryToken, started: threading.Event, out: list[object], sql: str = SLOW) -> None:
    with cancel.scope(token):
        try:
            with engine.connect() as conn:
                started.set()
                out.append(conn.exec_driver_sql(sql).scalar_one())
        except (OperationalError, cancel.QueryInterrupted) as exc:
            out.append(exc)


def test_interrupt_stops_the_running_statement(engine: Engine) -> None:
    token, started, out = cancel.QueryToken(), threading.Event(), []
    worker = threading.Thread(target=_run, args=(engine, token, started, out))
    worker.start()
    assert started.wait(10)
    deadline = time.monotonic() + 10
    while not cancel.interrupt(token):  # True once the statement has begun
        assert time.monotonic() < deadline
        time.sleep(0.001)
    worker.join(10)
    assert not worker.is_alive()
    assert isinstance(out[0], OperationalError) and "interrupted" in str(out[0])


def test_a_job_cancelled_before_its_statement_stops_at_once(engine: Engine) -> None:
    token, started, out = cancel.QueryToken(), threading.Event(), []
    cancel.interrupt(token)
    worker = threading.Thread(target=_run, args=(engine, token, started, out))
    worker.start()
    worker.join(10)
    assert not worker.is_alive() and isinstance(out[0], cancel.QueryInterrupted)


def test_interrupting_one_job_leaves_another_alone(engine: Engine) -> None:
    slow, fast = cancel.QueryToken(), cancel.QueryToken()
    s_started, f_started = threading.Event(), threading.Event()
    s_out: list[object] = []
    f_out: list[object] = []
    small = "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 300000) SELECT count(*) FROM k"
    a = threading.Thread(target=_run, args=(engine, slow, s_started, s_out))
    b = threading.Thread(target=_run, args=(engine, fast, f_started, f_out, small))
    a.start()
    b.start()
    assert s_started.wait(10)
    while not cancel.interrupt(slow):
        time.sleep(0.001)
    a.join(10)
    b.join(30)
    assert isinstance(s_out[0], OperationalError)
    assert f_out == [300000]


def test_cancelling_a_finished_job_stops_nothing_later(engine: Engine) -> None:
    token = cancel.QueryToken()
    with cancel.scope(token), engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
    cancel.interrupt(token)
    small = "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 200000) SELECT count(*) FROM k"
    with engine.connect() as conn:  # very likely the same pooled connection
        assert conn.exec_driver_sql(small).scalar_one() == 200000
