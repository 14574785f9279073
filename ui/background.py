"""Run blocking service calls off the GUI thread, with callbacks back on it (anki's pattern).

``run_in_background(fn, on_done, on_error, owner)`` runs ``fn`` on the app's job runtime
(``services/runtime.py``: the one pool of worker threads, shared with ``asyncio.to_thread``) and
calls ``on_done(result)`` or ``on_error(exc)`` on the GUI thread. Callbacks are dropped if their
owner (a QObject) is destroyed first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from services.db import cancel
from services.runtime import job_runtime, offload

T = TypeVar("T")


_waiting_to_start = [0]  # reads of run_soon not started yet (GUI thread only)
_lookers: list[Callable[[], None]] = []  # when_settled's looks, asked again when a held read is dropped


def pending() -> int:
    """How many background jobs have not reported yet (queued, running, or their outcome on its way)."""
    return job_runtime().pending()


def unsettled() -> int:
    """:func:`pending`, and the reads :meth:`LatestQuery.run_soon` holds until their panel's first
    paint: start-up's "settled" must not be seen in the gap before such a read starts."""
    return pending() + _waiting_to_start[0]


def when_settled(parent: QObject, then: Callable[[], None]) -> None:
    """Call ``then`` once, on the first turn of the event loop on which nothing is :func:`unsettled`.

    Looked at a turn after now and a turn after each outcome is delivered (or a held read dropped), and
    settled when two looks a turn apart find nothing pending: a job that an outcome's callback starts,
    at once or from a zero timer, is waited for too. Nothing polls (polling every 10 ms for three quiet
    looks marked start-up's first panel filled 20-30 ms after the last outcome).
    """
    done = [False]
    quiet = [0]
    runtime = job_runtime()
    # a zero timer of its own, restarted by each reason to look (an outcome delivered, a held read dropped)
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(0)

    def look() -> None:
        if done[0]:
            return
        if unsettled() != 0:
            quiet[0] = 0
            return
        quiet[0] += 1
        if quiet[0] < 2:  # and once more, a turn later: what a zero timer or queued call set meanwhile has run
            timer.start()
            return
        done[0] = True
        runtime.delivered.disconnect(soon)
        _lookers.remove(soon)
        timer.deleteLater()
        then()

    def soon() -> None:
        quiet[0] = 0  # two quiet looks after this reason, too
        if shiboken6.isValid(timer):  # not once its parent is gone
            timer.start()

    timer.timeout.connect(look)
    runtime.delivered.connect(soon)
    _lookers.append(soon)
    soon()


def _look_again() -> None:
    for soon in list(_lookers):
        soon()


FIRST_PAINT_WAIT_MS = 250  # a shown widget that is not painted by then (a minimized window) reads anyway


def _on_screen_soon(widget: QWidget) -> bool:
    """``widget`` is on screen, or about to be: a panel just added to a shown window's layout is
    shown by a queued call (it was never hidden on purpose), so it is not visible yet but will be painted."""
    window = widget.window()
    if not window.isVisible():
        return False
    if widget.isVisible():
        return True
    parent = widget.parentWidget()
    return (parent is not None and parent.isVisibleTo(window)
            and not widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide))


def after_first_paint(owner: QObject, then: Callable[[], None]) -> None:
    """Call ``then`` once ``owner``, a widget on screen (or about to be), has been painted (at most FIRST_PAINT_WAIT_MS
    later); at once for anything else. A window's paint is a low-priority event that a zero timer
    set while the widget was built comes before: a worker started then shared the GIL with the
    panel's first paint (Workflows' was ~67 ms of wall time for ~10 ms of its CPU at load 3)."""
    if not isinstance(owner, QWidget) or not _on_screen_soon(owner):
        then()
        return
    done = [False]

    def once() -> None:
        if not done[0]:
            done[0] = True
            owner.removeEventFilter(watch)
            then()

    class _Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, owner, once)  # once the whole paint has ended
            return False

    watch = _Painted(owner)
    owner.installEventFilter(watch)
    QTimer.singleShot(FIRST_PAINT_WAIT_MS, owner, once)


def run_in_background(
    fn: Callable[[], T],
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None],
    owner: QObject,
) -> None:
    offload(fn, owner, on_done, on_error)


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
        self._start(cancel.QueryToken(), fn, on_done, on_error)

    def run_soon(self, fn: Callable[[], T], on_done: Callable[[T], None], on_error: Callable[[Exception], None]) -> None:
        """:meth:`run`, with the worker started once the GUI thread is back in its event loop (busy
        from now on). For a panel's first read, so that the slice which builds and shows the panel
        does not share the GIL with a worker turning rows into objects: beside one, opening
        Payments at 1M rows took 10-20x its own CPU time on the GUI thread, without it 3-4x (on a
        machine loaded 5x)."""
        self.cancel()
        token = self._token = cancel.QueryToken()
        _waiting_to_start[0] += 1
        released = [False]

        def release(*_: object) -> None:
            if not released[0]:
                released[0] = True
                _waiting_to_start[0] -= 1
                _look_again()  # dropped before it started (superseded, or its panel closed): no outcome will say so

        self.destroyed.connect(release)  # a panel closed before its first paint

        def start() -> None:
            release()
            if token is self._token:  # not superseded or cancelled meanwhile
                self._start(token, fn, on_done, on_error)

        QTimer.singleShot(0, self, lambda: after_first_paint(self._owner, start))

    def _start(self, token: cancel.QueryToken, fn: Callable[[], T], on_done: Callable[[T], None],
               on_error: Callable[[Exception], None]) -> None:
        self._token = token

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
