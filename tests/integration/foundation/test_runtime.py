"""The one job runtime: asyncio.to_thread and the Qt-side offload share its pool, a closed loop
leaves it running, and offloaded work sees the caller's context."""

from __future__ import annotations

import asyncio
import contextvars
import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from services.runtime import job_runtime, offload

_who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


def _on_lent_loop(qapp: QApplication, coro_fn: object) -> object:
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=False)
    job_runtime().lend_to(loop)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coro_fn())  # type: ignore[operator]
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def test_asyncio_to_thread_runs_on_the_runtime_pool(qapp: QApplication) -> None:
    async def name() -> str:
        return await asyncio.to_thread(lambda: threading.current_thread().name)

    assert str(_on_lent_loop(qapp, name)).startswith("trendforge-job")


def test_closing_a_loop_leaves_the_pool_working(qapp: QApplication, qtbot: QtBot) -> None:
    async def nothing() -> None:
        await asyncio.to_thread(lambda: None)

    _on_lent_loop(qapp, nothing)  # closing the loop shuts its default executor down
    assert job_runtime().submit(lambda: 41 + 1).result(timeout=5) == 42


def test_offloaded_work_sees_the_callers_context_and_answers_on_the_receivers_thread(qtbot: QtBot) -> None:
    receiver = QObject()
    got: list[tuple[str, int]] = []
    token = _who.set("the panel")
    try:
        offload(_who.get, receiver, lambda who: got.append((who, threading.get_ident())), lambda exc: None)
    finally:
        _who.reset(token)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got == [("the panel", threading.get_ident())]


def test_a_callback_never_runs_inside_offload(qtbot: QtBot) -> None:
    receiver = QObject()
    got: list[str] = []
    offload(lambda: "fast", receiver, got.append, lambda exc: None)
    job_runtime().drain(5)  # the work has ended; its outcome is queued, not delivered yet
    assert got == []
    qtbot.waitUntil(lambda: got == ["fast"], timeout=5000)


def _anonymous_kb() -> int:
    with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("Anonymous:"))


def _fragment_the_heap(survivors: list[bytes]) -> None:
    """~80 MB of C-heap blocks made and dropped on a worker, one in 64 kept: the heap cannot shrink
    by itself (a live block sits in every few pages' run), so its free pages stay resident."""
    blocks = [bytes(1000) + bytes([i % 256]) for i in range(80_000)]  # > 512 bytes: malloc, not pymalloc
    survivors.extend(blocks[::64])


def test_the_free_heap_a_burst_of_work_leaves_goes_back_to_the_os_once_idle(qtbot: QtBot) -> None:
    from services import heap

    assert heap.can_give_back()  # glibc, as on every Linux this app ships for
    runtime = job_runtime()
    survivors: list[bytes] = []
    runtime.submit(lambda: _fragment_the_heap(survivors)).result(timeout=30)
    peak = _anonymous_kb()
    # the runtime gives the free pages back on its own, no call from here
    qtbot.waitUntil(lambda: _anonymous_kb() < peak - 40 * 1024, timeout=10_000)
    assert len(survivors) == 1250


def test_work_run_through_asyncio_to_thread_also_leads_to_giving_back(qapp: QApplication, qtbot: QtBot) -> None:
    survivors: list[bytes] = []

    async def burst() -> None:
        await asyncio.to_thread(_fragment_the_heap, survivors)

    with qtbot.waitSignal(job_runtime().gave_back, timeout=10_000):
        _on_lent_loop(qapp, burst)
