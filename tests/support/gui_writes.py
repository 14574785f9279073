"""Helpers for the GUI tests that show a panel's write leaves the GUI thread free.

Another connection holds SQLite's write lock while a panel writes; a 5 ms heartbeat on the GUI
thread records when the event loop ran. A write made on the GUI thread would wait for the lock
there, the timer that releases it could not fire, and the heartbeat would show the stall.
"""

from __future__ import annotations

import itertools
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
STALL_BUDGET_S = 0.05  # the project's budget for one GUI-thread stall


def hold_write_lock(db_path: Path, ms: int = HOLD_LOCK_MS) -> None:
    """Another connection takes SQLite's write lock; a timer on the GUI thread lets it go after ``ms``."""
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        holder.execute("COMMIT")
        holder.close()

    QTimer.singleShot(ms, release)


@dataclass
class WriteTiming:
    """When the slot was entered, how long it took to return, and the heartbeat until the write's result."""

    clicked: float = 0.0
    returned_after: float = 0.0
    announced: list[float] = field(default_factory=list)
    beats: list[float] = field(default_factory=list)
    changes: list[Changes] = field(default_factory=list)

    @property
    def waited(self) -> float:
        """From the click until the write's Changes came back on the GUI thread."""
        return self.announced[0] - self.clicked

    @property
    def worst_gap(self) -> float:
        """The longest the GUI thread went without running its event loop while the write ran."""
        while_writing = [t for t in self.beats if t <= self.announced[0]] + self.announced[:1]
        return max(b - a for a, b in itertools.pairwise(while_writing))


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
        hold_write_lock(db_path)
        if drive is not None:
            timing.clicked = time.monotonic()
            slot()
            timing.returned_after = time.monotonic() - timing.clicked
            drive(lambda: bool(timing.announced))
            return timing
        with qtbot.waitSignal(operation_hub().did_execute, timeout=30_000):
            timing.clicked = time.monotonic()
            slot()
            timing.returned_after = time.monotonic() - timing.clicked
    return timing


def assert_wrote_in_the_background(timing: WriteTiming) -> None:
    """The slot returned at once, the write did wait for the lock, and the GUI thread never stalled."""
    assert timing.returned_after < STALL_BUDGET_S, f"the slot took {timing.returned_after * 1000:.0f} ms"
    assert timing.waited >= HOLD_LOCK_MS / 1000, "the write did not wait for the lock: nothing was measured"
    assert timing.worst_gap < STALL_BUDGET_S, f"the GUI thread stalled {timing.worst_gap * 1000:.0f} ms"
