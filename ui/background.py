"""Run blocking service calls off the GUI thread, with callbacks back on it (anki's pattern).

``run_in_background(fn, on_done, on_error)`` runs ``fn`` in Qt's global thread pool and calls
``on_done(result)`` or ``on_error(exc)`` on the GUI thread. Callbacks are dropped if their
owner (a QObject) is destroyed first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from services.db import cancel

T = TypeVar("T")


class _Bridge(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], bridge: _Bridge) -> None:
        super().__init__()
        self._fn = fn
        self._bridge = bridge

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - handed to the GUI thread's callback
            outcome, signal_name = exc, "failed"
        else:
            outcome, signal_name = result, "done"
        # RuntimeError: the owner (and its bridge) was destroyed meanwhile; nobody is waiting
        with contextlib.suppress(RuntimeError):
            getattr(self._bridge, signal_name).emit(outcome)


_live: set[_Bridge] = set()


def pending() -> int:
    """How many background jobs have not reported yet (queued or running)."""
    return len(_live)


def run_in_background(
    fn: Callable[[], T],
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None],
    owner: QObject,
) -> None:
    # The bridge has no parent, so it cannot be destroyed while the worker still emits on it
    # (a parented bridge died with its owner mid-emit); it is kept alive here until the job
    # reports, and the callbacks run only if the owner still exists.
    bridge = _Bridge()
    _live.add(bridge)

    def finish(callback: Callable[[Any], None], value: object) -> None:
        _live.discard(bridge)
        bridge.deleteLater()
        if shiboken6.isValid(owner):
            callback(value)

    def finish_ok(result: object) -> None:
        finish(on_done, result)

    def finish_err(exc: object) -> None:
        finish(on_error, exc)

    bridge.done.connect(finish_ok)
    bridge.failed.connect(finish_err)
    QThreadPool.globalInstance().start(_Job(fn, bridge))


class LatestQuery(QObject):
    """Runs a panel's reads in the background, one at a time: a new :meth:`run` supersedes the one
    before it, whose result is dropped and whose running SQL statement is interrupted on the
    worker's own connection (typing in a search box leaves no stale query behind).
    """

    def __init__(self, owner: QObject) -> None:
        super().__init__(owner)
        self._owner = owner
        self._token: cancel.QueryToken | None = None

    @property
    def busy(self) -> bool:
        return self._token is not None

    def run(self, fn: Callable[[], T], on_done: Callable[[T], None], on_error: Callable[[Exception], None]) -> None:
        self.cancel()
        token = self._token = cancel.QueryToken()

        def work() -> T:
            with cancel.scope(token):
                return fn()

        def done(result: T) -> None:
            if token is self._token:
                self._token = None
                on_done(result)

        def failed(exc: Exception) -> None:
            if token is self._token:
                self._token = None
                on_error(exc)

        run_in_background(work, done, failed, self._owner)

    def cancel(self) -> None:
        """Drop the running query's result and interrupt its statement."""
        token, self._token = self._token, None
        if token is not None:
            cancel.interrupt(token)
