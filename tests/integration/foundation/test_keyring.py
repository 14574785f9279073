"""A round trip through the real Secret Service (gnome-keyring, started by `make test`).

Not a mock: `make test` runs pytest inside `dbus-run-session` with an unlocked gnome-keyring.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest

from services.bootstrap import Services
from services.secrets import KeyringSecretStore


@pytest.fixture
def store() -> Iterator[KeyringSecretStore]:
    backend = keyring.get_keyring()
    assert "SecretService" in type(backend).__module__, (
        f"expected the Secret Service backend, got {backend!r}: run the suite with `make test`"
    )
    s = KeyringSecretStore(service=f"trendforge-test-{uuid.uuid4().hex[:8]}")
    yield s
    for name in s.names():
        s.delete(name)


def test_round_trip(store: KeyringSecretStore) -> None:
    store.set("provider:stripe", "sk_test_roundtrip123")
    assert store.get("provider:stripe") == "sk_test_roundtrip123"
    assert store.names() == ["provider:stripe"]
    assert store.delete("provider:stripe") is True
    assert store.get("provider:stripe") is None
    assert store.names() == []
    assert store.delete("provider:stripe") is False


def test_credentials_never_reach_db_or_log(
    make_services: Callable[..., Services], store: KeyringSecretStore, data_dir: Path
) -> None:
    secret = "sk_test_" + uuid.uuid4().hex
    services = make_services(secrets=store, log_to_file=True)
    services.settings.set_credential("stripe", secret)
    import logging

    logging.getLogger("trendforge.test").warning("about to call stripe with %s", secret)
    assert services.settings.credential("stripe") == secret
    assert services.settings.list_credentials() == ["stripe"]
    services.close()
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), f"secret leaked into {path}"
    log_text = (data_dir / "logs" / "trendforge.log").read_text()
    assert "about to call stripe with [REDACTED]" in log_text
