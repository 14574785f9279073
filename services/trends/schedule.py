"""The scheduled sync: a QTimer owned by the trends service, running syncs on the asyncio loop.

The GUI starts it at start-up (``Services.start_schedules``), so the schedule runs whether or not
the Trends panel was ever opened. The CLI has no schedule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)


class ScheduledSync(Protocol):
    """What the schedule drives (the trends service)."""

    @property
    def syncing(self) -> bool: ...

    def sync(self, *, scheduled: bool) -> Coroutine[Any, Any, object]: ...


class SyncScheduler(QObject):
    """Every ``interval`` minutes: ``sync(scheduled=True)`` (sources in backoff are skipped)."""

    ran = Signal(object)  # the SyncReport, or the exception that ended the sync
    interval_changed = Signal(float)  # thread-safe restart: queued to this object's thread

    def __init__(self, service: ScheduledSync, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.interval_changed.connect(self.start)
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @property
    def interval_minutes(self) -> float:
        return self._timer.interval() / 60_000

    def start(self, minutes: float) -> None:
        self._timer.start(max(1, int(minutes * 60_000)))

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            log.warning("scheduled trends sync skipped: no asyncio loop is running")
            return
        if self._service.syncing:
            return  # one is running already; the next tick will come
        task = loop.create_task(self._service.sync(scheduled=True))
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.warning("scheduled trends sync failed: %s", exc)
            self.ran.emit(exc)
        else:
            self.ran.emit(task.result())
