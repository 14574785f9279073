"""The Android Publisher v3 REST API over httpx: bearer tokens, retries, resumable uploads.

Transient answers (connection drops, 429 honouring Retry-After, 5xx) are retried for calls that
are safe to repeat. A commit is not: its lost answer is reported as ``CommitOutcomeLostError`` and the
caller asks Play what happened before doing anything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt

from app.errors import ProviderError, UserError
from app.jsonvalue import JsonObject, JsonValue
from app.retry_after import parse_retry_after
from services.base import RetryAfterWait, is_transient

CHUNK = 8 * 1024 * 1024  # resumable upload chunk (a multiple of 256 KiB, as Google asks)
BACKOFF_INITIAL, BACKOFF_MAX = 1.0, 8.0  # seconds: the first retry's wait, and the longest
USER_AGENT = "TrendForge-play/0.1"


class TokenSource(Protocol):
    @property
    def account(self) -> str: ...
    def token(self) -> str: ...
    def invalidate(self, token: str) -> None: ...


class CommitOutcomeLostError(ProviderError):
    """The commit request went out but no answer came back: Play may or may not have applied it."""


class PlayApi:
    def __init__(self, base_url: str, tokens: TokenSource, client: httpx.Client, *, attempts: int = 4,
                 sleep: Callable[[float], None] = time.sleep, chunk_size: int = CHUNK) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = tokens
        self._client = client
        self._attempts = attempts
        self.sleep = sleep
        self.chunk_size = chunk_size

    @property
    def account(self) -> str:
        return self._tokens.account

    def url(self, package: str, tail: str = "", *, upload: bool = False) -> str:
        prefix = "/upload" if upload else ""
        return f"{self._base}{prefix}/androidpublisher/v3/applications/{package}{tail}"

    # -- one request -----------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request with a fresh-enough token; a 401 mints a new token and tries once more."""
        for attempt in (1, 2):
            token = self._tokens.token()
            headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
            resp = self._client.request(method, url, headers=headers, **kwargs)
            if resp.status_code != 401 or attempt == 2:
                return resp
            self._tokens.invalidate(token)
            kwargs["headers"] = {k: v for k, v in headers.items() if k not in ("Authorization", "User-Agent")}
        raise AssertionError("unreachable")

    def request(self, method: str, url: str, *, retry: bool = True, package: str = "", **kwargs: Any) -> httpx.Response:
        """One call; with ``retry``, transient failures (dropped connections, 429 after its Retry-After, 5xx) are
        tried again with tenacity and the services' one backoff rule."""
        retrying = Retrying(retry=retry_if_exception(is_transient), stop=stop_after_attempt(self._attempts if retry else 1),
                            wait=RetryAfterWait(BACKOFF_INITIAL, BACKOFF_MAX), sleep=self.sleep, reraise=True)
        for attempt in retrying:
            with attempt:
                return self._once(method, url, package, **kwargs)
        raise AssertionError("unreachable")

    def _once(self, method: str, url: str, package: str, **kwargs: Any) -> httpx.Response:
        try:
            resp = self._send(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(f"Google Play did not answer {method} {_tail(url)} ({type(exc).__name__})",
                                provider="play", transient=True) from None
        if resp.status_code >= 400:
            raise self._error(resp, package)
        return resp

    def json(self, method: str, url: str, **kwargs: Any) -> JsonObject:  # kwargs: httpx.Client.request's
        resp = self.request(method, url, **kwargs)
        if not resp.content:
            return {}
        data: JsonValue = resp.json()  # httpx types it Any
        return data if isinstance(data, dict) else {"data": data}

    def _error(self, resp: httpx.Response, package: str) -> ProviderError | UserError:
        message = _message(resp)
        code = resp.status_code
        app = package or "this app"
        if code == 401:
            return UserError(f"Google Play refused the access token of {self.account} ({message}); check that the "
                             "service account still exists and its key is not revoked")
        if code == 403 and "permission" in message.lower():
            return UserError(f"the service account {self.account} has no access to {app} on Google Play; in Play "
                             "Console > Users and permissions, invite it and grant it the release permissions for the app")
        if code == 404 and "package not found" in message.lower():
            return UserError(f"Google Play has no app {app} that {self.account} can see; create the app in Play "
                             "Console first (its first bundle is uploaded there by hand)")
        transient = code == 429 or code >= 500
        return ProviderError(f"Google Play answered {code}: {message[:300]}", provider="play",
                             transient=transient, status_code=code,
                             retry_after=parse_retry_after(resp.headers.get("Retry-After")))

    # -- uploads ---------------------------------------------------------------------------------
    def upload_resumable(self, url: str, path: Path, content_type: str, *, package: str) -> dict[str, Any]:
        """Start a resumable session, send the file in chunks (streamed from disk), resume after a drop."""
        size = path.stat().st_size
        start = self.request("POST", url, params={"uploadType": "resumable"}, package=package,
                             headers={"X-Upload-Content-Type": content_type, "X-Upload-Content-Length": str(size),
                                      "Content-Type": "application/json"}, content=b"{}")
        session = start.headers.get("Location")
        if not session:
            raise ProviderError("Google Play started an upload without a session location", provider="play")
        offset = 0
        failures = 0
        with path.open("rb") as fh:
            while True:
                fh.seek(offset)
                chunk = fh.read(self.chunk_size) if size else b""
                end = offset + len(chunk) - 1
                headers = {"Content-Type": content_type,
                           "Content-Range": f"bytes {offset}-{end}/{size}" if chunk else f"bytes */{size}"}
                try:
                    resp = self._send("PUT", session, content=chunk, headers=headers)
                except httpx.HTTPError:
                    resp = None
                if resp is None or resp.status_code >= 500 or resp.status_code == 429:
                    failures += 1
                    if failures >= self._attempts:
                        raise ProviderError(f"the upload of {path.name} to Google Play kept failing at byte {offset}",
                                            provider="play", transient=True)
                    self.sleep(min(2.0 ** (failures - 1), 8.0))
                    offset = self._received(session, size, content_type)
                    continue
                if resp.status_code == 308:
                    offset = _range_end(resp.headers.get("Range"))
                    continue
                if resp.status_code >= 400:
                    raise self._error(resp, package)
                data = resp.json() if resp.content else {}
                return data if isinstance(data, dict) else {}

    def _received(self, session: str, size: int, content_type: str) -> int:
        """Ask the upload session how many bytes it holds (after a dropped chunk)."""
        try:
            resp = self._send("PUT", session, content=b"", headers={"Content-Range": f"bytes */{size}",
                                                                    "Content-Type": content_type})
        except httpx.HTTPError:
            return 0
        return _range_end(resp.headers.get("Range")) if resp.status_code == 308 else 0


def _range_end(value: str | None) -> int:
    """``Range: bytes=0-1234`` -> 1235 (the next offset); no header -> 0."""
    if not value or "-" not in value:
        return 0
    return int(value.rsplit("-", 1)[1]) + 1


def _tail(url: str) -> str:
    return url.split("/applications/", 1)[-1]


def _message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:300].strip() or resp.reason_phrase
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err)
        if err:
            return str(data.get("error_description") or err)
    return str(data)[:300]
