"""Workflows on the real Temporal dev server: one server per session, one task queue per test."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.bootstrap import Services
from services.workflows.temporal.config import QueueKind, TemporalConfig
from services.workflows.temporal.worker import serve
from tests.support.temporal_server import TemporalServer  # tests/support, on the path from tests/conftest.py


@pytest.fixture
def temporal(temporal_server: TemporalServer, monkeypatch: pytest.MonkeyPatch) -> TemporalConfig:
    """This test's Temporal: the session's server, a task queue of its own; new apps run workflows there."""
    queue = f"tf-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("TRENDFORGE_TEMPORAL_ADDRESS", temporal_server.address)
    monkeypatch.setenv("TRENDFORGE_TEMPORAL_TASK_QUEUE", queue)
    return TemporalConfig(address=temporal_server.address, task_queue=queue)


@pytest.fixture
def worker(temporal: TemporalConfig) -> Iterator[Callable[..., None]]:
    """``worker(services)``: a worker of that app on both queues, on a loop of its own, stopped at the end."""
    stops: list[tuple[asyncio.AbstractEventLoop, asyncio.Event, threading.Thread]] = []

    def start(services: Services, queues: tuple[QueueKind, ...] = tuple(QueueKind)) -> None:
        loop = asyncio.new_event_loop()
        stop = asyncio.Event()
        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(serve(temporal, services.ctx, services.workflows.registry, queues, stop,
                                              lambda _names: ready.set()))
            except BaseException as exc:  # reported to the test below
                failed.append(exc)
                ready.set()

        thread = threading.Thread(target=run, name="temporal-worker", daemon=True)
        thread.start()
        assert ready.wait(30), "the worker did not start"
        assert not failed, failed
        stops.append((loop, stop, thread))

    yield start
    for loop, stop, thread in stops:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def _wait_run(services: Services, run_id: str, timeout: float = 60) -> dict[str, Any]:
    async def go() -> None:
        await asyncio.wait_for(services.workflows.wait(run_id), timeout)

    asyncio.run(go())
    return services.workflows.show(run_id)


@pytest.fixture
def wait_run() -> Callable[..., dict[str, Any]]:
    """``wait_run(services, run_id)``: wait until the run on Temporal ends; its detail as ``workflow show`` gives it."""
    return _wait_run
