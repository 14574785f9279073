"""The Temporal client of one process, on a loop of its own.

The Workflows panel and the CLI call the workflows service synchronously; the Temporal SDK is
asyncio. The client lives on a private event loop in one daemon thread, and a call waits for
its result (a loopback RPC: milliseconds) or, from a coroutine, awaits it without blocking the
caller's loop. Nothing else runs on that loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import Client

from app.errors import UserError
from services.workflows.temporal.config import TemporalConfig

T = TypeVar("T")

CALL_TIMEOUT = 30.0


async def connect(config: TemporalConfig) -> Client:
    """A client of the studio's Temporal; an unreachable server is one clear line."""
    try:
        return await Client.connect(config.address, namespace=config.namespace)
    except RuntimeError as exc:
        raise UserError(
            f"cannot reach {config.where}: {_reason(str(exc))}; start the Temporal server "
            "or point TRENDFORGE_TEMPORAL_ADDRESS at it"
        ) from exc


def _reason(text: str) -> str:
    """The SDK's connect error, in a few words (it quotes the whole transport error chain)."""
    for marker, words in (("ConnectionRefused", "connection refused"), ("timed out", "timed out"),
                          ("dns error", "unknown host"), ("Namespace", "no such namespace")):
        if marker in text:
            return words
    first = text.splitlines()[0] if text else "failed"
    return first if len(first) <= 120 else first[:117] + "..."


class TemporalGateway:
    def __init__(self, config: TemporalConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: Client | None = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=serve, name="temporal-client", daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    async def client(self) -> Client:
        """Connected on first use, on the gateway's loop."""
        if self._client is None:
            self._client = await connect(self.config)
        return self._client

    def call(self, work: Callable[[Client], Awaitable[T]], timeout: float = CALL_TIMEOUT) -> T:
        """Run ``work(client)`` on the gateway's loop and wait for its result."""
        future = asyncio.run_coroutine_threadsafe(self._with_client(work), self._ensure_loop())
        return future.result(timeout)

    async def acall(self, work: Callable[[Client], Awaitable[T]]) -> T:
        """The same, awaited from another loop (the caller's loop keeps running meanwhile)."""
        future = asyncio.run_coroutine_threadsafe(self._with_client(work), self._ensure_loop())
        return await asyncio.wrap_future(future)

    async def _with_client(self, work: Callable[[Client], Awaitable[T]]) -> T:
        return await work(await self.client())

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = self._client = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()
