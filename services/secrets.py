"""Secrets in the OS keyring (service name ``trendforge``), and nowhere else.

Names are ``provider:<name>`` for API credentials and ``keystore:<data-dir-id>:<alias>`` for signing key
passwords. The keyring has no listing API, so the *names* (never the values) are kept in
an index entry in the keyring itself.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

from app.errors import SecretStoreError
from app.health import Health, HealthState
from app.remedies import RunDoctor

SERVICE = "trendforge"
_INDEX = "__index__"


def credential_key(name: str) -> str:
    """The keyring entry of a provider's credential: the one naming rule for whoever reads or writes it
    (Settings, the payments and trends providers, Google Play)."""
    return f"provider:{name}"

PROVIDER_NAMES = ("stripe", "gumroad", "itch", "kofi", "x", "tiktok", "play")


class SecretStore(Protocol):
    def set(self, name: str, secret: str) -> None: ...
    def get(self, name: str) -> str | None: ...
    def delete(self, name: str) -> bool: ...
    def names(self) -> list[str]: ...
    def backend_name(self) -> str: ...
    def known_values(self) -> list[str]: ...
    def remember(self, secret: str) -> None:
        """A secret made at run time (an access token minted from a stored key): redacted like stored ones."""
        ...


class KeyringSecretStore:
    """A secret store over the ``keyring`` package's configured backend."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def _kr(self) -> Any:
        if sys.platform != "darwin":
            # keyring imports every backend it ships to rank them; the macOS one loads the Security framework
            # with ctypes.util.find_library, which off macOS runs ldconfig, gcc and ld for each of three
            # libraries (hundreds of ms per process) for a backend whose priority refuses anything but Darwin.
            # Without its api module keyring ranks the same backends and picks the same one.
            sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]
        import keyring

        return keyring

    def backend_name(self) -> str:
        kr = self._kr().get_keyring()
        return f"{type(kr).__module__}.{type(kr).__name__}"

    def _call(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        from keyring.errors import KeyringError

        try:
            return fn(*args)
        except KeyringError as exc:
            raise SecretStoreError(
                f"the OS keyring refused to {what} ({type(exc).__name__}: {exc}). "
                "Unlock your keyring (e.g. GNOME Keyring / KWallet) and try again",
                remedy=RunDoctor(),
            ) from exc

    def _index(self) -> list[str]:
        raw = self._call("read the index", self._kr().get_password, self._service, _INDEX)
        try:
            names = json.loads(raw) if raw else []
        except ValueError:
            names = []
        return sorted({str(n) for n in names})

    def _write_index(self, names: list[str]) -> None:
        self._call("write the index", self._kr().set_password, self._service, _INDEX, json.dumps(sorted(set(names))))

    def set(self, name: str, secret: str) -> None:
        if not name or name == _INDEX:
            raise SecretStoreError("a secret needs a name")
        if not secret:
            raise SecretStoreError(f"the secret for {name!r} is empty; nothing was stored")
        with self._lock:
            self._call("store a secret", self._kr().set_password, self._service, name, secret)
            names = self._index()
            if name not in names:
                self._write_index([*names, name])
            self._seen.add(secret)

    def get(self, name: str) -> str | None:
        value = self._call("read a secret", self._kr().get_password, self._service, name)
        if value:
            self._seen.add(value)
        return value if value is None else str(value)

    def delete(self, name: str) -> bool:
        from keyring.errors import PasswordDeleteError

        with self._lock:
            try:
                self._kr().delete_password(self._service, name)
                existed = True
            except PasswordDeleteError:
                existed = False
            names = self._index()
            if name in names:
                self._write_index([n for n in names if n != name])
            return existed

    def names(self) -> list[str]:
        return self._index()

    def known_values(self) -> list[str]:
        return sorted(self._seen)

    def remember(self, secret: str) -> None:
        if secret:
            self._seen.add(secret)


class MemorySecretStore:
    """A fake for unit tests (no OS keyring); same behaviour as the real store."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._remembered: set[str] = set()

    def backend_name(self) -> str:
        return "memory"

    def set(self, name: str, secret: str) -> None:
        if not secret:
            raise SecretStoreError(f"the secret for {name!r} is empty; nothing was stored")
        self._values[name] = secret

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def delete(self, name: str) -> bool:
        return self._values.pop(name, None) is not None

    def names(self) -> list[str]:
        return sorted(self._values)

    def known_values(self) -> list[str]:
        return sorted({*self._values.values(), *self._remembered})

    def remember(self, secret: str) -> None:
        if secret:
            self._remembered.add(secret)


def keyring_health(store: SecretStore) -> Health:
    """Whether ``store`` has a usable backend (also asked by doctor when the database cannot open)."""
    try:
        backend = store.backend_name()
    except SecretStoreError as exc:
        return Health("keyring", HealthState.DEGRADED, str(exc))
    if "fail" in backend.lower() or "null" in backend.lower():
        return Health("keyring", HealthState.DEGRADED, f"no usable keyring backend ({backend})")
    return Health("keyring", HealthState.OK, backend)
