"""Declarative base, column types and the engine (SQLite: WAL, foreign keys on; or PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import Text

from services.db import cancel
from services.db.backend import is_sqlite
from services.db.writes import DEFAULT_BUSY_TIMEOUT_MS, apply_busy_timeout

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class JSONText(TypeDecorator[Any]):
    """JSON stored as compact text (SQLite's JSON functions still work on it)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(value)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str | URL) -> Engine:
    """An engine for the store at ``url`` (see :mod:`services.db.backend`)."""
    if not is_sqlite(make_url(url) if isinstance(url, str) else url):
        # a shared server: a few pooled connections per process, checked before use (the server may restart)
        return create_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=10)
    # last in, first out: a run of queries one at a time (a panel's pages, a sync's batches) reuses the connection
    # returned last, so only as many connections as ran at once are warm (page cache, parsed statements: ~0.8 MB
    # each after a round of panels); first in, first out spread every run over all of them
    engine = create_engine(url, future=True, pool_use_lifo=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={DEFAULT_BUSY_TIMEOUT_MS}")
        cur.close()
        _record.info["busy_timeout_ms"] = DEFAULT_BUSY_TIMEOUT_MS

    event.listen(engine, "checkout", apply_busy_timeout)  # a shorter wait where a caller retries by itself
    cancel.install(engine)  # a superseded panel query can be interrupted on its own connection

    return engine


def make_session_factory(engine: Engine, actor: str | None = None) -> sessionmaker[Any]:
    """Sessions that know who they act for (``session.info["actor"]``, see :func:`acting`)."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True, info={"actor": actor})


def acting(session: Any) -> str | None:
    """The actor of the session an ORM object is written in (None outside the composition root's sessions)."""
    from sqlalchemy.orm import Session

    found = Session.object_session(session) if not isinstance(session, Session) else session
    return found.info.get("actor") if found is not None else None
