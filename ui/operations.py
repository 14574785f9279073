"""GUI writes run in the background exactly like reads (anki's CollectionOp / QueryOp split).

A panel slot hands its write to :func:`run_write` and returns at once; the service call runs
off the GUI thread, and when it has committed one :class:`Changes` notification (the area, the
ids it touched, the panel that asked) goes out on the app's :class:`OperationHub`. Panels
refresh just those rows; the initiator may also react to its own result (select a new row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

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
