"""Helpers for the GUI tests that show a panel's write leaves the GUI thread free.

Another connection holds SQLite's write lock while a panel writes, and a timer on the GUI thread
releases it. A write made on the GUI thread would wait for the lock there: the timer could not fire
until the slot returned, so the slot would return only after the release (or fail when SQLite's busy
timeout ran out). The checks are of order, not of duration (a loaded machine changes durations, never
this order): the slot returned while the lock was still held, the GUI thread's event loop ran while
the write waited (a 5 ms heartbeat beat, and the release fired), and the write finished after the
release. How long the GUI thread may stall is measured in bench/, not asserted here.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from ui.operations import Changes, operation_hub

HOLD_LOCK_MS = 400  # how long another connection holds the database's write lock


def hold_write_lock(db_path: Path, ms: int = HOLD_LOCK_MS, on_release: Callable[[], None] | None = None) -> None:
    """Another connection takes SQLite's write lock; a timer on the GUI thread lets it go after ``ms``."""
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        if on_release is not None:
            on_release()
        holder.execute("COMMIT")
        holder.close()

    QTimer.singleShot(ms, release)


@dataclass
class WriteTiming:
    """When the slot was entered, how long it took to return, and the heartbeat until the write's result."""

    clicked: float = 0.0
    returned: float = 0.0
    released: float = 0.0  # when the GUI thread's timer let the write lock go (0: not yet)
    announced: list[float] = field(default_factory=list)
    beats: list[float] = field(default_factory=list)
    changes: list[Changes] = field(default_factory=list)

    @property
    def beats_while_locked(self) -> int:
        """Heartbeats between the click and the release: the GUI thread's loop ran while the write waited."""
        return sum(1 for t in self.beats if self.clicked < t < self.released)


@contextmanager
def heartbeat(owner: QObject) -> Iterator[WriteTiming]:
    """A 5 ms timer on the GUI thread, and every Changes on the hub, recorded until the block ends."""
    timing = WriteTiming()
    timer = QTimer(owner)
    timer.setInterval(5)
    timer.timeout.connect(lambda: timing.beats.append(time.monotonic()))

    def announced(changes: Changes) -> None:
        timing.announced.append(time.monotonic())
        timing.changes.append(changes)

    hub = operation_hub()
    hub.did_execute.connect(announced)
    timer.start()
    try:
        yield timing
    finally:
        timer.stop()
        hub.did_execute.disconnect(announced)


def click_while_locked(qtbot: Any, db_path: Path, owner: QObject, slot: Callable[[], object], *,
                       drive: Callable[[Callable[[], object]], None] | None = None) -> WriteTiming:
    """Hold the write lock, call ``slot`` (a click), and wait for its Changes; returns the timing.

    ``drive`` runs the app's asyncio loop until a condition holds, for writes that are coroutines
    on it (the workflow engine's); otherwise Qt's events are processed until the Changes arrive."""
    with heartbeat(owner) as timing:
        qtbot.wait(50)  # beats before the click
        hold_write_lock(db_path, on_release=lambda: setattr(timing, "released", time.monotonic()))
        if drive is not None:
            timing.clicked = time.monotonic()
            slot()
            timing.returned = time.monotonic()
            drive(lambda: bool(timing.announced))
            return timing
        with qtbot.waitSignal(operation_hub().did_execute, timeout=30_000):
            timing.clicked = time.monotonic()
            slot()
            timing.returned = time.monotonic()
    return timing


def assert_wrote_in_the_background(timing: WriteTiming) -> None:
    """The slot returned while the lock was held, the loop ran while the write waited, the write came after."""
    assert timing.released, "the write lock was never released: the GUI thread's loop did not run"
    assert timing.returned < timing.released, "the slot returned only after the lock was let go: it waited for it"
    assert timing.beats_while_locked > 0, "the GUI thread's loop did not run while the write waited"
    assert timing.announced[0] > timing.released, "the write did not wait for the lock: nothing was shown"
