"""The Ko-fi webhook listener: a loopback HTTP receiver that sits behind a public tunnel.

Anyone on the internet can reach it, so it answers as HTTP/1.1 (RFC 9110/9112) says and cannot
be exhausted:

- no ``Content-Length`` (or a chunked body) -> 411; a ``Content-Length`` that is not one
  non-negative decimal number (``-1``, ``abc``, two different values) -> 400; more than
  :attr:`max_body` -> 413, decided from the header *before* any body byte is read;
- a client that does not finish its headers or body within the timeouts -> 408, then closed;
- malformed or deeply nested JSON -> 400 (the handler refuses it, see ``kofi.parse_body``);
- connections are served by one asyncio loop in its own thread, so stalled clients cost a
  socket, not a thread; beyond :attr:`max_connections` open sockets a new one gets 503 at
  once; the handler (a database write) runs on a small pool, so good webhooks keep being
  answered while hundreds of bad clients hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType

from app.errors import UserError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ListenerLimits:
    max_body: int = 1_000_000
    max_header_bytes: int = 16 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_connections: int = 512
    handler_threads: int = 4


class _RefusedError(Exception):
    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class KofiListener:
    """``handler(body) -> HTTP status`` for each POST; ``url``, ``start()``, ``stop()``, or use ``with``."""

    def __init__(self, handler: Callable[[str], int], host: str = "127.0.0.1", port: int = 0,
                 limits: ListenerLimits | None = None) -> None:
        if host not in LOOPBACK:
            raise UserError("the Ko-fi listener only binds to the loopback interface; put a tunnel in front of it")
        self._handler = handler
        self.limits = limits or ListenerLimits()
        self._host, self._port = host, port
        self._loop = asyncio.new_event_loop()
        self._pool = ThreadPoolExecutor(max_workers=self.limits.handler_threads, thread_name_prefix="kofi-handler")
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kofi-listener", daemon=True)
        self.open_connections = 0
        self._error: BaseException | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> KofiListener:
        if self._thread.is_alive():
            return self
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise UserError(f"the Ko-fi listener cannot listen on {self._host}:{self._port}: {self._error}")
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> KofiListener:
        return self.start()

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the listener first"
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host!s}:{port}/"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._serve, self._host, self._port, limit=self.limits.max_header_bytes))
        except OSError as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            with contextlib.suppress(Exception):
                self._loop.run_until_complete(asyncio.sleep(0))
            self._loop.close()

    # -- one connection ----------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections += 1
        try:
            if self.open_connections > self.limits.max_connections:
                await self._answer(writer, HTTPStatus.SERVICE_UNAVAILABLE, b"busy", retry_after=5)
                return
            try:
                body = await self._read_request(reader)
            except _RefusedError as refusal:
                await self._answer(writer, refusal.status, refusal.status.phrase.encode())
                return
            status = await self._loop.run_in_executor(self._pool, self._handler, body)
            await self._answer(writer, HTTPStatus(status), b"ok" if status == 200 else b"rejected")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.open_connections -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read_request(self, reader: asyncio.StreamReader) -> str:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.limits.header_timeout)
        except TimeoutError:
            raise _RefusedError(HTTPStatus.REQUEST_TIMEOUT) from None
        except asyncio.LimitOverrunError:
            raise _RefusedError(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE) from None
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _RefusedError(HTTPStatus.BAD_REQUEST)
        if parts[0] != "POST":
            raise _RefusedError(HTTPStatus.METHOD_NOT_ALLOWED)
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _RefusedError(HTTPStatus.BAD_REQUEST)
            headers.setdefault(name.lower(), []).append(value.strip())
        length = content_length(headers)
        if length > self.limits.max_body:
            raise _RefusedError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)  # decided before reading a byte of it
        try:
            body = await asyncio.wait_for(reader.readexactly(length), self.limits.body_timeout)
        except TimeoutError:
            raise _RefusedError(HTTPStatus.REQUEST_TIMEOUT) from None
        return body.decode("utf-8", "replace")

    async def _answer(self, writer: asyncio.StreamWriter, status: HTTPStatus, body: bytes,
                      retry_after: int | None = None) -> None:
        extra = f"Retry-After: {retry_after}\r\n" if retry_after is not None else ""
        writer.write(f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: text/plain\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n".encode("latin-1") + body)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.drain(), 5)


def content_length(headers: dict[str, list[str]]) -> int:
    """The body length a request declares, as RFC 9112 section 6 decides it, or the refusal."""
    if "transfer-encoding" in headers:
        raise _RefusedError(HTTPStatus.LENGTH_REQUIRED)  # no chunked bodies: the length must be known up front
    values = headers.get("content-length")
    if not values:
        raise _RefusedError(HTTPStatus.LENGTH_REQUIRED)
    numbers = {v.strip() for value in values for v in value.split(",")}
    if len(numbers) != 1:
        raise _RefusedError(HTTPStatus.BAD_REQUEST)  # differing lengths: a smuggling attempt or a broken client
    (text,) = numbers
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise _RefusedError(HTTPStatus.BAD_REQUEST)  # '-1', '1e3', 'abc', ' ', or absurdly long
    return int(text)
