"""GUI writes run in the background exactly like reads (anki's CollectionOp / QueryOp split).

A panel slot hands its write to :func:`run_write` and returns at once; the service call runs
off the GUI thread, and when it has committed one :class:`Changes` notification (the area, the
ids it touched, the panel that asked) goes out on the app's :class:`OperationHub`. Panels
refresh just those rows; the initiator may also react to its own result (select a new row).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal

from ui.background import run_in_background

T = TypeVar("T")


class ChangeArea(StrEnum):
    BUILDS = "builds"
    WORKFLOWS = "workflows"
    PAYMENTS = "payments"
    TEMPLATES = "templates"


@dataclass(frozen=True)
class Changes:
    """What one committed write touched."""

    area: ChangeArea
    ids: tuple[str, ...]
    initiator: QObject | None = None


class OperationHub(QObject):
    """One per application: ``did_execute(Changes)`` after every write made through :func:`run_write`."""

    did_execute = Signal(object)


def operation_hub() -> OperationHub:
    """The application's hub (a child of the QCoreApplication, so it lives and dies with it)."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("the operation hub needs a Qt application")
    hub = app.findChild(OperationHub)
    if hub is None:
        hub = OperationHub(app)
    return hub


def run_write(
    owner: QObject,
    write: Callable[[], T],
    *,
    area: ChangeArea,
    ids: Callable[[T], Iterable[str]],
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None],
) -> None:
    """Run ``write`` (one service call) off the GUI thread; on success announce its changes, then ``on_done``."""
    hub = operation_hub()

    def done(result: T) -> None:
        hub.did_execute.emit(Changes(area, tuple(ids(result)), owner))
        on_done(result)

    run_in_background(write, done, on_error, owner)


_tasks: set[asyncio.Task[object]] = set()  # running writes: a task is only weakly held by its loop


def run_async_write(
    owner: QObject,
    write: Callable[[], Awaitable[T]],
    *,
    area: ChangeArea,
    ids: Callable[[T], Iterable[str]],
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None],
) -> None:
    """Like :func:`run_write`, for a service write that is a coroutine on the app's (qasync) loop.

    For writes that must end on the loop, e.g. the workflow engine's, which spawns the run's task
    there after its database work (done in a worker thread by the service). Callbacks run on the
    GUI thread, and only while ``owner`` exists."""
    hub = operation_hub()

    async def run() -> None:
        try:
            result = await write()
        except Exception as exc:  # noqa: BLE001 - handed to the panel's callback, like run_write's
            if shiboken6.isValid(owner):
                on_error(exc)
            return
        if shiboken6.isValid(owner):
            hub.did_execute.emit(Changes(area, tuple(ids(result)), owner))
            on_done(result)

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    task: asyncio.Task[object] = loop.create_task(run())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
