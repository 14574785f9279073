"""A qasync loop for GUI tests: the engine runs on it, like in the app. Conftests import the fixtures they use."""

from __future__ import annotations

import asyncio
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

        aloop.run_until_complete(wait())

    return run_until
