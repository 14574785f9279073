"""A qasync loop for GUI tests: the engine runs on it, like in the app. Conftests import the fixtures they use."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()
    del loop  # its Qt objects die here, on their own thread: a later collection on a worker thread
    gc.collect()  # destroying them there crashed the GUI thread's event processing (SIGSEGV in teardown)


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
