"""Service-account access tokens for the Android Publisher API, minted with google-auth.

The user's service-account JSON key lives only in the keyring (credential ``play``). google-auth
signs the JWT and runs the JWT bearer grant against the key's own ``token_uri``; its HTTP goes
through the httpx client here (not requests). Tokens are cached until shortly before they
expire, by this app's clock, and minted afresh after that or when Play says one was refused.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import google.auth.exceptions
import google.auth.transport
import httpx
from google.oauth2 import service_account

from app.errors import ProviderError, UserError
from services.releases.health import REQUIRED_FIELDS

SCOPE = "https://www.googleapis.com/auth/androidpublisher"
REFRESH_MARGIN = timedelta(seconds=60)  # mint a new token this long before the old one expires
_REQUIRED = REQUIRED_FIELDS


@dataclass(frozen=True)
class ServiceAccountKey:
    """A parsed service-account key; ``info`` holds the private key and is never shown."""

    client_email: str
    token_uri: str
    key_id: str
    info: Mapping[str, Any] = field(repr=False)


def parse_key(text: str) -> ServiceAccountKey:
    """Check a service-account JSON key; one clear line naming the account when it is not usable."""
    try:
        info = json.loads(text)
    except ValueError:
        raise UserError("the Google Play credential is not JSON; download the service account's JSON key in "
                        "Google Cloud Console (IAM > Service accounts > Keys > Add key > JSON) and store that file") from None
    if not isinstance(info, dict):
        raise UserError("the Google Play credential is not a service-account JSON key (expected a JSON object)")
    email = str(info.get("client_email") or "(no client_email)")
    missing = [k for k in _REQUIRED if not info.get(k)]
    if missing:
        raise UserError(f"the Google Play key of {email} lacks {', '.join(missing)}; download a fresh JSON key "
                        "for that service account in Google Cloud Console")
    if info["type"] != "service_account":
        raise UserError(f"the Google Play key of {email} is of type {info['type']!r}, not a service-account key")
    try:
        _credentials(info)
    except (ValueError, TypeError) as exc:
        raise UserError(f"the private key in the Google Play key of {email} cannot be read ({type(exc).__name__}); "
                        "download a fresh JSON key for that service account") from None
    return ServiceAccountKey(email, str(info["token_uri"]), str(info["private_key_id"]), info)


def _credentials(info: Mapping[str, Any]) -> service_account.Credentials:
    creds: service_account.Credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        dict(info), scopes=[SCOPE])
    return creds


class _Response(google.auth.transport.Response):
    def __init__(self, resp: httpx.Response) -> None:
        self._resp = resp

    @property
    def status(self) -> int:
        return self._resp.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return dict(self._resp.headers)

    @property
    def data(self) -> bytes:
        return self._resp.content


class HttpxAuthRequest(google.auth.transport.Request):
    """google-auth's transport interface over an httpx client."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def __call__(self, url: str, method: str = "GET", body: bytes | None = None,
                 headers: Mapping[str, str] | None = None, timeout: float | None = None,
                 **kwargs: Any) -> _Response:
        try:
            resp = self._client.request(method, url, content=body, headers=dict(headers or {}),
                                        timeout=timeout or 30.0)
        except httpx.HTTPError as exc:
            raise google.auth.exceptions.TransportError(f"{type(exc).__name__}: {exc}") from exc  # type: ignore[no-untyped-call]
        return _Response(resp)


class PlayTokens:
    """Access tokens for one service-account key, cached until (shortly before) they expire."""

    def __init__(self, key: ServiceAccountKey, client: httpx.Client, clock: Callable[[], datetime],
                 remember: Callable[[str], None] = lambda _token: None) -> None:
        self.key = key
        self._remember = remember  # each minted token is redacted wherever text is stored or shown
        self._request = HttpxAuthRequest(client)
        self._clock = clock
        self._creds = _credentials(key.info)
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self._lock = threading.Lock()
        self.minted = 0

    @property
    def account(self) -> str:
        return self.key.client_email

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._expires_at is None or self._clock() >= self._expires_at - REFRESH_MARGIN:
                self._mint()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """Play refused ``token``: the next call mints a new one."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _mint(self) -> None:
        try:
            self._creds.refresh(self._request)  # type: ignore[no-untyped-call]
        except google.auth.exceptions.RefreshError as exc:
            raise UserError(refusal_message(self.account, exc)) from None
        except google.auth.exceptions.TransportError as exc:
            raise ProviderError(f"Google's token endpoint {self.key.token_uri} could not be reached ({exc})",
                                provider="play", transient=True) from None
        token = str(self._creds.token or "")
        if not token:
            raise ProviderError(f"Google's token endpoint gave {self.account} no access token", provider="play")
        expiry = self._creds.expiry
        # google-auth keeps expiry as a naive UTC datetime
        lifetime = (expiry - datetime.now(UTC).replace(tzinfo=None)).total_seconds() if expiry is not None else 3600.0
        self._remember(token)
        self._token = token
        self._expires_at = self._clock() + timedelta(seconds=max(0.0, lifetime))
        self.minted += 1


def refusal_message(account: str, exc: Exception) -> str:
    detail = str(exc.args[0]) if exc.args else str(exc)
    return (f"Google refused the Play key of {account} ({detail[:160]}): the key may have been revoked or deleted; "
            "check Google Cloud Console > IAM > Service accounts > Keys for that account, then store a new JSON key")
