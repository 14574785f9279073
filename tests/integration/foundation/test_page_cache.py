"""Idle SQLite connections hand their page caches back (services/db/page_cache.py), on a real file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, text

from services.db.base import make_engine, sqlite_url
from services.db.page_cache import release_page_caches
from tests.support.sqlite_memory import fill_and_warm, sqlite_memory_used

MB = 1024 * 1024


def test_the_idle_connections_page_caches_are_handed_back(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "store.sqlite3"))
    try:
        fill_and_warm(engine)
        warm = sqlite_memory_used()
        assert release_page_caches(engine) == 2
        assert sqlite_memory_used() < warm - 3 * MB  # two full 2 MB caches, less what each keeps
    finally:
        engine.dispose()


def test_handing_back_opens_no_connection_and_the_store_still_answers(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "store.sqlite3"))
    try:
        fill_and_warm(engine)
        opened: list[object] = []
        event.listen(engine, "connect", lambda *_: opened.append(1))
        release_page_caches(engine)
        assert opened == []
        assert engine.pool.checkedin() == 2  # type: ignore[attr-defined]  # still open, back in the pool
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM warm_pages")).scalar() == 12_000
    finally:
        engine.dispose()
