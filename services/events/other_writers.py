"""Events committed by other processes (the CLI while the GUI runs), published here too.

SQLite's ``PRAGMA data_version`` changes on a connection when another connection commits; a
timer reads it on a connection of its own (a few microseconds, no lock), and only when it moved
are the new events read (``seq`` after the last one seen) and dispatched on this process's bus,
so panels refresh without a manual reload. Events this process dispatched itself are skipped.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from services.events.bus import EventBus
from services.events.store import EventQuery

log = logging.getLogger(__name__)


class OtherWriters(QObject):
    """``start()`` watches; ``noticed`` carries how many events other processes committed."""

    noticed = Signal(int)

    def __init__(self, db_path: Path, bus: EventBus, interval_ms: int = 1000, parent: QObject | None = None,
                 *, before_publish: Callable[[], object] | None = None) -> None:
        """``before_publish``: runs before the events go out (drop cached reads that they made stale)."""
        super().__init__(parent)
        self._before_publish = before_publish
        self._db_path = db_path
        self._bus = bus
        self._conn: sqlite3.Connection | None = None
        self._version = -1
        self._last_seq = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if self._timer.isActive():
            return
        self._conn = sqlite3.connect(self._db_path, timeout=0.05, isolation_level=None, check_same_thread=False)
        self._version = self._data_version()
        self._last_seq = self._bus.store.last_seq()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _data_version(self) -> int:
        assert self._conn is not None
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def check(self) -> int:
        """Publish what other processes committed since the last look; returns how many events."""
        if self._conn is None:
            return 0
        try:
            version = self._data_version()
        except sqlite3.Error as exc:  # a busy or damaged file: look again at the next tick
            log.debug("data_version: %s", exc)
            return 0
        if version == self._version:
            return 0
        self._version = version
        rows = self._bus.history(EventQuery(after_seq=self._last_seq, oldest_first=True, limit=5000))
        if not rows:
            return 0
        self._last_seq = rows[-1].seq
        fresh = [r.event for r in rows if not self._bus.dispatched_here(r.event.id)]
        if fresh:
            if self._before_publish is not None:
                self._before_publish()
            self._bus.dispatch(fresh)
            self.noticed.emit(len(fresh))
        return len(fresh)

    def _on_timer_timeout(self) -> None:
        self.check()
