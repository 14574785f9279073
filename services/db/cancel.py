"""Stop a superseded query: the statement a job is running is stopped on its own connection.

A background job runs its work inside :func:`scope` with a token of its own. Each connection the
job runs a statement on gets a SQLite progress handler (SQLAlchemy cursor events) that stops the
statement, while it executes or while its rows are fetched, once :func:`interrupt` cancelled the
token; the handler is removed when the connection goes back to the pool. The stopped statement
raises ``OperationalError: interrupted`` in the job (a later one :class:`QueryInterrupted`), whose
result nobody waits for any more. Statements of other jobs and threads are never touched.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

_local = threading.local()
_lock = threading.Lock()
PROGRESS_STEPS = 20_000


class QueryInterrupted(Exception):  # noqa: N818 - what happened, not an error of the caller
    """A statement of a cancelled job was not started."""


class QueryToken:
    """Identifies one background job's queries."""

    __slots__ = ("__weakref__",)


# weak: a token lives as long as its job and its panel's reference to it
_running: weakref.WeakSet[QueryToken] = weakref.WeakSet()  # tokens whose job has begun a statement
_cancelled: weakref.WeakSet[QueryToken] = weakref.WeakSet()


@contextmanager
def scope(token: QueryToken) -> Iterator[None]:
    """Run the block's statements under ``token``."""
    previous = getattr(_local, "token", None)
    _local.token = token
    try:
        yield
    finally:
        _local.token = previous
        with _lock:
            _running.discard(token)
            _cancelled.discard(token)


def interrupt(token: QueryToken) -> bool:
    """Stop ``token``'s running statement and any it starts later. True if its job had begun one."""
    with _lock:
        _cancelled.add(token)
        return token in _running


def cancelled() -> bool:
    """Whether this thread's job was superseded (a failure it meets now is the interruption, not a fault)."""
    token = getattr(_local, "token", None)
    with _lock:
        return token is not None and token in _cancelled


def _before(conn: Any, _cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool) -> None:
    token = getattr(_local, "token", None)
    if token is None:
        return
    with _lock:
        if token in _cancelled:  # superseded before this statement began
            raise QueryInterrupted("the query was superseded")
        _running.add(token)
    # SQLite calls this every PROGRESS_STEPS virtual-machine steps; a true answer stops the statement
    # ("interrupted"). Unlike sqlite3_interrupt() it cannot miss a statement that is about to start.
    conn.connection.dbapi_connection.set_progress_handler(lambda: token in _cancelled, PROGRESS_STEPS)


def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.set_progress_handler(None, 0)


def install(engine: Engine) -> None:
    """Let :func:`interrupt` reach statements run through ``engine``."""
    from sqlalchemy import event  # here, not at import: the GUI imports this module before its window shows

    event.listen(engine, "before_cursor_execute", _before)
    event.listen(engine, "checkin", _on_checkin)
