"""Run blocking service calls off the GUI thread, with callbacks back on it (anki's pattern).

``run_in_background(fn, on_done, on_error)`` runs ``fn`` in Qt's global thread pool and calls
``on_done(result)`` or ``on_error(exc)`` on the GUI thread. Callbacks are dropped if their
owner (a QObject) is destroyed first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

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


def run_in_background(
    fn: Callable[[], T],
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None],
    owner: QObject,
) -> None:
    bridge = _Bridge(owner)  # parented: lives in the GUI thread, dies with the owner
    _live.add(bridge)

    def finish_ok(result: object) -> None:
        _live.discard(bridge)
        on_done(result)  # type: ignore[arg-type]
        bridge.deleteLater()

    def finish_err(exc: object) -> None:
        _live.discard(bridge)
        on_error(exc)  # type: ignore[arg-type]
        bridge.deleteLater()

    bridge.done.connect(finish_ok)
    bridge.failed.connect(finish_err)
    QThreadPool.globalInstance().start(_Job(fn, bridge))
