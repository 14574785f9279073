"""The one job runtime: asyncio.to_thread and the Qt-side offload share its pool, a closed loop
leaves it running, and offloaded work sees the caller's context."""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from services.runtime import JobRuntime, job_runtime, offload, on_own_loop, run_blocking
from tests.support.qasync_loop import app_loop

_who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")


def _on_lent_loop(qapp: QApplication, coro_fn: object) -> object:
    with app_loop(qapp, lent=True) as loop:
        return loop.run_until_complete(coro_fn())  # type: ignore[operator]


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


def test_a_blocking_call_from_a_worker_waits_for_its_coroutine_on_the_applications_loop(qapp: QApplication) -> None:
    async def where() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    async def from_a_worker() -> tuple[asyncio.AbstractEventLoop, asyncio.AbstractEventLoop]:
        return await asyncio.to_thread(lambda: run_blocking(where())), asyncio.get_running_loop()

    ran_on, app_loop = _on_lent_loop(qapp, from_a_worker)  # type: ignore[misc]
    assert ran_on is app_loop


def test_a_blocking_call_where_no_application_loop_runs_gets_a_loop_of_its_own_and_closes_after_it(
        qapp: QApplication) -> None:
    closed: list[asyncio.AbstractEventLoop] = []

    async def where() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    async def close() -> None:
        closed.append(asyncio.get_running_loop())

    ran_on = run_blocking(where(), alone_then=close)
    assert closed == [ran_on]


def test_a_blocking_call_from_a_running_loop_is_refused(qapp: QApplication) -> None:
    async def nothing() -> None:
        return None

    async def blocking_inside_the_loop() -> str:
        try:
            run_blocking(nothing())
        except RuntimeError as exc:
            return str(exc)
        return "ran"

    assert "await the coroutine instead" in str(_on_lent_loop(qapp, blocking_inside_the_loop))


def test_a_prestarted_pool_runs_a_burst_of_jobs_on_the_threads_it_started_before(qapp: QApplication) -> None:
    """The GUI starts its pool before the window shows: no submit starts (and waits for) a thread later."""
    runtime = JobRuntime()
    try:
        before = {t.ident for t in threading.enumerate()}
        runtime.prestart()
        started = {t.ident for t in threading.enumerate()} - before
        assert len(started) == min(32, (os.cpu_count() or 1) + 4)
        all_running = threading.Barrier(len(started))  # each job waits for the others: one thread each
        futures = [runtime.submit(lambda: (all_running.wait(10), threading.get_ident())[1]) for _ in started]
        assert {f.result(timeout=20) for f in futures} == started
    finally:
        runtime.deleteLater()


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


def test_every_worker_waiting_for_a_coroutine_that_needs_a_worker_still_ends(qapp: QApplication) -> None:
    # each pool thread waits (run_blocking) for a coroutine whose own to_thread call needs a worker:
    # with no thread to spare, all would wait for ever
    size = job_runtime()._size
    entered = threading.Semaphore(0)

    async def needs_a_worker(all_waiting: asyncio.Event) -> int:
        await all_waiting.wait()
        return await asyncio.to_thread(lambda: 1)

    async def every_worker_waits() -> list[int]:
        all_waiting = asyncio.Event()
        loop = asyncio.get_running_loop()

        def plain_call() -> int:
            entered.release()
            return run_blocking(needs_a_worker(all_waiting))

        calls = asyncio.gather(*(asyncio.to_thread(plain_call) for _ in range(size)))

        def release_when_all_entered() -> None:
            for _ in range(size):
                entered.acquire()
            loop.call_soon_threadsafe(all_waiting.set)

        threading.Thread(target=release_when_all_entered, daemon=True).start()
        return await asyncio.wait_for(calls, timeout=30)

    assert _on_lent_loop(qapp, every_worker_waits) == [1] * size


def test_a_release_added_runs_on_a_worker_once_the_pool_is_idle_after_work(qtbot: QtBot) -> None:
    runtime = job_runtime()
    ran_on: list[str] = []
    remove = runtime.add_idle_release(lambda: ran_on.append(threading.current_thread().name))
    try:
        runtime.submit(lambda: None).result(timeout=5)
        with qtbot.waitSignal(runtime.gave_back, timeout=10_000):
            pass
        assert len(ran_on) == 1
        assert ran_on[0].startswith("trendforge-job")
    finally:
        remove()


def test_a_release_removed_no_longer_runs(qtbot: QtBot) -> None:
    runtime = job_runtime()
    ran: list[int] = []
    runtime.add_idle_release(lambda: ran.append(1))()  # added, then removed at once
    runtime.submit(lambda: None).result(timeout=5)
    with qtbot.waitSignal(runtime.gave_back, timeout=10_000):
        pass
    assert ran == []

def test_a_coroutine_on_its_own_loop_runs_on_a_worker_with_the_callers_context(qapp: QApplication) -> None:
    async def where() -> tuple[str, asyncio.AbstractEventLoop, str, str]:
        worker = await asyncio.to_thread(lambda: threading.current_thread().name)
        return threading.current_thread().name, asyncio.get_running_loop(), _who.get(), worker

    async def caller() -> tuple[tuple[str, asyncio.AbstractEventLoop, str, str], asyncio.AbstractEventLoop]:
        _who.set("caller")
        return await on_own_loop(where), asyncio.get_running_loop()

    (thread, loop, who, worker), callers_loop = _on_lent_loop(qapp, caller)  # type: ignore[misc]
    assert thread.startswith("trendforge-job") and loop is not callers_loop
    assert who == "caller"
    assert worker.startswith("trendforge-job") and worker != thread  # its to_thread work runs on the pool too


def test_an_error_on_its_own_loop_is_the_callers(qapp: QApplication) -> None:
    async def fails() -> None:
        raise ValueError("refused there")

    async def caller() -> str:
        try:
            await on_own_loop(fails)
        except ValueError as exc:
            return str(exc)
        return "no error"

    assert _on_lent_loop(qapp, caller) == "refused there"


def test_cancelling_the_wait_cancels_the_coroutine_there_and_returns_once_it_has_ended(qapp: QApplication) -> None:
    started = threading.Event()
    ended: list[str] = []

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0.05)  # its clean-up awaits on its loop, and is waited for
            ended.append(threading.current_thread().name)

    async def caller() -> tuple[bool, list[str]]:
        task = asyncio.ensure_future(on_own_loop(forever))
        await asyncio.to_thread(started.wait, 10)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return True, list(ended)
        return False, list(ended)

    cancelled, ended_when_returned = _on_lent_loop(qapp, caller)  # type: ignore[misc]
    assert cancelled
    assert len(ended_when_returned) == 1 and ended_when_returned[0].startswith("trendforge-job")
