"""Queries run one at a time reuse one pooled SQLite connection (services/db/base.py), on a real file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from services.db.base import make_engine, sqlite_url


def test_queries_one_at_a_time_after_a_burst_run_on_the_connection_returned_last(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "store.sqlite3"))
    try:
        burst = [engine.connect() for _ in range(3)]  # three readers at once open three connections
        for conn in burst:
            conn.execute(text("SELECT 1"))
            conn.close()
        used = set()
        for _ in range(9):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                used.add(id(conn.connection.dbapi_connection))
        assert len(used) == 1  # the other two stay cold: no page cache or parsed statements of these queries
        assert engine.pool.checkedin() == 3  # type: ignore[attr-defined]  # still open for the next burst
    finally:
        engine.dispose()
