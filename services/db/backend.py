"""Which database a store runs on, decided once: the embedded SQLite file or a shared PostgreSQL.

The URL comes from ``--database``, ``TRENDFORGE_DATABASE_URL`` or the data dir's default file
(see :mod:`services.config`). Everything else that differs between the two lives in a few small
modules keyed by :func:`backend_of`: connection set-up here, full-text search in
:mod:`services.db.fulltext`, upserts in :func:`dialect_insert`, and driver-level SQL in :func:`driver_sql`.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session


class Backend(enum.StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


POSTGRESQL_DRIVER = "postgresql+psycopg"
EXAMPLE_URL = "postgresql+psycopg://USER@HOST:5432/DBNAME"


class DatabaseUrlError(ValueError):
    """A database URL TrendForge cannot use; the message says what to give instead."""


def parse_url(given: str) -> URL:
    """A database URL TrendForge can open (SQLite file, or PostgreSQL through psycopg 3), else one clear line."""
    text = given.strip()
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseUrlError(f"{_masked(text)!r} is not a database URL: give one like {EXAMPLE_URL}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseUrlError("a SQLite database URL must name a file (sqlite:///PATH)")
        return url
    if backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", "psycopg2", ""):
            raise DatabaseUrlError(f"PostgreSQL is reached through psycopg 3: give {EXAMPLE_URL}")
        if not url.database:
            raise DatabaseUrlError(f"the PostgreSQL URL names no database: give {EXAMPLE_URL}")
        return url.set(drivername=POSTGRESQL_DRIVER)
    raise DatabaseUrlError(f"TrendForge stores data in SQLite or PostgreSQL, not {backend!r}: give {EXAMPLE_URL}")


def _masked(text: str) -> str:
    """The URL as it may be shown: a password in it is never echoed."""
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return text.split("@")[-1] if "@" in text else text


def describe(url: URL | str) -> str:
    """Where the store is, for messages and ``doctor`` (no password)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def backend_of(bind: Engine | Connection | Session | Dialect | URL) -> Backend:
    if isinstance(bind, URL):
        name = bind.get_backend_name()
    elif isinstance(bind, Dialect):
        name = bind.name
    elif isinstance(bind, Session):
        name = bind.get_bind().dialect.name
    else:
        name = bind.dialect.name
    return Backend.POSTGRESQL if name == "postgresql" else Backend.SQLITE


def is_sqlite(bind: Engine | Connection | Session | Dialect | URL) -> bool:
    return backend_of(bind) is Backend.SQLITE


def dialect_insert(bind: Engine | Connection | Session | Dialect, table: Any) -> Any:
    """The dialect's ``INSERT`` with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` (same API on both)."""
    if backend_of(bind) is Backend.POSTGRESQL:
        from sqlalchemy.dialects import postgresql  # imported when used: a SQLite store never needs it

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def driver_sql(bind: Engine | Connection | Dialect, sql: str) -> str:
    """``sql`` written with ``?`` placeholders, in the driver's own style (psycopg takes ``%s``).

    For the few hot paths that go straight to the driver's executemany; their SQL holds no ``?``
    or ``%`` of its own.
    """
    dialect = bind if isinstance(bind, Dialect) else bind.dialect
    if dialect.paramstyle == "qmark":
        return sql
    return sql.replace("?", "%s")


def has_table(conn: Connection, name: str) -> bool:
    return bool(inspect(conn).has_table(name))

