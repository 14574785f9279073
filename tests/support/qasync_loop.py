"""A qasync loop for GUI tests: the engine runs on it, like in the app. Conftests import the fixtures they use."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from PySide6.QtCore import QCoreApplication, SignalInstance
from PySide6.QtWidgets import QApplication

from services.runtime import job_runtime

if TYPE_CHECKING:
    from app.builds.model import BuildInfo
    from services.builds.service import BuildsService

T = TypeVar("T")


@contextmanager
def app_loop(qapp: QCoreApplication, *, lent: bool = False) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the shared application for one test (the runtime's pool lent to it when ``lent``).

    At the end it is closed and its Qt objects are collected here, on the GUI thread: left for a later
    collection on a worker thread, destroying them there crashed the GUI thread's event processing
    (SIGSEGV in a later test's teardown)."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=False)
    if lent:
        job_runtime().lend_to(loop)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        del loop
        gc.collect()


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    with app_loop(qapp) as loop:
        yield loop


@pytest.fixture
def drive(aloop: asyncio.AbstractEventLoop) -> Callable[..., None]:
    """Run the asyncio loop (and Qt events) until ``cond()`` holds."""

    def run_until(cond: Callable[[], object], timeout: float = 10.0) -> None:
        async def wait() -> None:
            deadline = aloop.time() + timeout
            while not cond():
                if aloop.time() > deadline:
                    raise AssertionError("condition not reached in time")
                await asyncio.sleep(0.02)

        # run_forever, not run_until_complete: qasync's run_until_complete processes Qt's events once more
        # after it has unset the running loop, so a task stepped there finds no loop (an asyncio.Event
        # made in it is bound to none); the app's loop never stops, so neither does this one mid-step
        task = aloop.create_task(wait())
        task.add_done_callback(lambda _task: aloop.stop())
        aloop.run_forever()
        task.result()

    return run_until


def next_emission(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """The arguments of ``signal``'s next emission, as a future of the running loop (connect before acting)."""
    emitted: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def on_emitted(*args: Any) -> None:
        if not emitted.done():
            emitted.set_result(args)

    signal.connect(on_emitted)
    emitted.add_done_callback(lambda _future: signal.disconnect(on_emitted))
    return emitted


def run_on(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T], timeout: float = 15.0) -> T:
    """Run ``work`` on ``loop`` (a test's qasync loop, as the app runs its work), failing after ``timeout``."""
    return loop.run_until_complete(asyncio.wait_for(work, timeout))


def build_ended(builds: BuildsService, build_id: str, timeout_s: float = 600.0) -> BuildInfo:
    """The build once it has ended, awaited on a qasync loop as the CLI awaits it (the job's signal, no polling)."""
    app = QCoreApplication.instance()
    assert app is not None, "a build's tools run as QProcess children: make the Qt application first"
    with app_loop(app, lent=True) as loop:
        return run_on(loop, builds.finished(build_id), timeout_s)


def builds_stopped(builds: BuildsService, timeout_s: float = 5.0) -> None:
    """What closing the app runs on its loop: running builds cancelled and their ends recorded."""
    app = QCoreApplication.instance()
    assert app is not None
    with app_loop(app) as loop:
        run_on(loop, builds.stop(timeout_s), timeout_s + 5.0)
