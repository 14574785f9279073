"""HTTP plumbing shared by the payment providers.

One long-lived ``httpx.AsyncClient`` per event loop: the GUI's qasync loop keeps one for
the life of the app; a CLI command's loop gets one and closes it at the end. A sync's paged
listing runs on a loop of its own on a worker (``services.runtime.on_own_loop``), whose client
lives as long as that sync.
Responses are mapped onto ``ProviderError`` so the service's tenacity retry can tell
transient failures (connect/read errors, 429 with Retry-After, 5xx) from permanent ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

from app.errors import ProviderError
from app.jsonvalue import JsonValue
from app.remedies import SetCredential
from app.retry_after import parse_retry_after

if TYPE_CHECKING:
    import httpx

USER_AGENT = "TrendForge-payments/0.1 (+https://trendforge.invalid)"


class HttpClients:
    """A lazily created ``httpx.AsyncClient`` for each running event loop."""

    def __init__(self, *, connect_timeout: float = 5.0, read_timeout: float = 20.0) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def timeout(self) -> httpx.Timeout:
        import httpx  # with the first request: building the payments area (Home, a CLI list) loads no HTTP stack

        return httpx.Timeout(self.read_timeout, connect=self.connect_timeout)

    def get(self, loop: asyncio.AbstractEventLoop | None = None) -> httpx.AsyncClient:
        """The long-lived client of ``loop`` (default: the running one); a worker thread may build it for a loop."""
        loop = loop or asyncio.get_running_loop()
        with self._lock:
            client = self._clients.get(loop)
            if client is None or client.is_closed:
                import httpx

                client = httpx.AsyncClient(
                    timeout=self.timeout(),
                    headers={"User-Agent": USER_AGENT},
                    limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
                    follow_redirects=False,
                )
                self._clients[loop] = client
            return client

    async def close_current(self) -> None:
        """Close the current loop's client (at the end of a loop that ends with its caller: a CLI command's)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()


def transport_error(exc: httpx.HTTPError, provider: str) -> ProviderError:
    import httpx

    kind = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        what = "did not answer in time"
    elif isinstance(exc, httpx.ConnectError):
        what = "could not be reached"
    else:
        what = "dropped the connection"
    return ProviderError(f"{provider} {what} ({kind})", provider=provider, transient=True)


def status_error(resp: httpx.Response, provider: str, detail: str = "") -> ProviderError:
    code = resp.status_code
    detail = detail or _body_excerpt(resp)
    if code == 429:
        wait = parse_retry_after(resp.headers.get("Retry-After"))
        return ProviderError(
            f"{provider} is rate limiting requests (HTTP 429){f', retry after {wait:.0f}s' if wait else ''}",
            provider=provider, transient=True, retry_after=wait, status_code=code,
        )
    if code >= 500:
        return ProviderError(f"{provider} had a server error (HTTP {code}): {detail}", provider=provider,
                             transient=True, status_code=code)
    if code in (401, 403):
        return ProviderError(f"{provider} rejected the credential (HTTP {code}); store a valid one",
                             provider=provider, status_code=code, remedy=SetCredential(provider))
    return ProviderError(f"{provider} refused the request (HTTP {code}): {detail}", provider=provider, status_code=code)


def _body_excerpt(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:200].strip()
    if isinstance(data, dict):
        for key in ("message", "error", "errors"):
            if key in data:
                value = data[key]
                if isinstance(value, list):
                    return "; ".join(str(v) for v in value)[:300]
                if isinstance(value, dict):
                    return str(value.get("message", value))[:300]
                return str(value)[:300]
    return str(data)[:200]


async def request_json(client: httpx.AsyncClient, method: str, url: str, provider: str, *,
                       params: Mapping[str, str | int] | None = None, data: Mapping[str, str] | None = None,
                       headers: Mapping[str, str] | None = None) -> JsonValue:
    import httpx

    try:
        resp = await client.request(method, url, params=params, data=data, headers=headers)
    except httpx.HTTPError as exc:
        raise transport_error(exc, provider) from exc
    if resp.status_code >= 400:
        raise status_error(resp, provider)
    try:
        value: JsonValue = resp.json()  # httpx types it Any; what it parsed is JSON
    except ValueError as exc:
        raise ProviderError(f"{provider} answered with something that is not JSON: {resp.text[:120]!r}",
                            provider=provider) from exc
    return value


def load_first_request_parts() -> None:
    """Import now what the first request on a loop and the first page's amounts load lazily: the async HTTP
    backend (anyio, under httpx) and the ISO 4217 table (an XML parse). Called where a provider is built, on a
    worker thread: at a first Sync these were about 120 ms of the GUI's loop."""
    import importlib

    from app.currency import iso_codes

    for module in ("anyio", "anyio._backends._asyncio", "anyio.streams.tls", "httpcore._backends.anyio"):
        with contextlib.suppress(ImportError):  # a newer httpx/httpcore may load other parts, later
            importlib.import_module(module)
    iso_codes()
