"""Write transactions that must not race, and telling a busy database from a broken one.

SQLite's default (deferred) transaction takes the write lock only at its first write, so a
read-then-write (the next versionCode) can interleave with another process's; ``BEGIN
IMMEDIATE`` takes the lock first. The dialect-specific part lives here, once.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

DEFAULT_BUSY_TIMEOUT_MS = 5000  # what services.db.base sets on every connection


def begin_write(session: Session, table: Table | None = None) -> None:
    """Start ``session``'s transaction holding the database's write lock (before its first read).

    SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: an exclusive lock on ``table`` (readers go on).
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not getattr(dbapi, "in_transaction", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif table is not None:
        conn.execute(text(f"LOCK TABLE {table.name} IN EXCLUSIVE MODE"))


_busy_ms: contextvars.ContextVar[int] = contextvars.ContextVar("trendforge_busy_timeout_ms", default=DEFAULT_BUSY_TIMEOUT_MS)


@contextlib.contextmanager
def short_waits(ms: int) -> Iterator[None]:
    """Connections checked out in this block wait at most ``ms`` for another writer (SQLite).

    For a caller that retries on its own, without blocking its thread between tries: it wants a
    short wait per try, not the default's five seconds on (say) the GUI thread.
    """
    token = _busy_ms.set(int(ms))
    try:
        yield
    finally:
        _busy_ms.reset(token)


def apply_busy_timeout(dbapi_connection: Any, record: Any, _proxy: Any = None) -> None:
    """Pool checkout hook (SQLite): give the connection the busy timeout of the current context."""
    wanted = _busy_ms.get()
    if record.info.get("busy_timeout_ms") != wanted:
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout={wanted}")
        cur.close()
        record.info["busy_timeout_ms"] = wanted


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the lock: worth trying again shortly (unlike a full disk)."""
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc.orig if exc.orig is not None else exc).lower()
    return "locked" in message or "busy" in message
