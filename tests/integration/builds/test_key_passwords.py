"""Keystore passwords in the real keyring (Secret Service): per data dir, older entries adopted only with proof."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.builds.model import BuildState
from app.errors import ConflictError, UserError
from services.bootstrap import Services
from services.builds.key_passwords import legacy_name
from services.builds.service import BuildsService
from services.secrets import KeyringSecretStore
from tests.support.builds_fixtures import SharedKey
from tests.support.qasync_loop import build_ended


@pytest.fixture
def real_keyring() -> Iterator[KeyringSecretStore]:
    store = KeyringSecretStore()
    before = set(store.names())
    yield store
    for name in set(store.names()) - before:
        store.delete(name)


@pytest.fixture
def real_builds(make_services: Callable[..., Services], real_keyring: KeyringSecretStore, folder_templates: Any,
                qapp: Any) -> Iterator[BuildsService]:
    svc = make_services(secrets=real_keyring).builds
    svc.templates = folder_templates
    yield svc
    svc.shutdown()


def _to_legacy(store: KeyringSecretStore, svc: BuildsService, alias: str, value: str) -> None:
    """Put the data dir in the state older versions left: one `keystore:ALIAS` entry for every data dir."""
    store.delete(svc.passwords.name(alias))
    store.set(legacy_name(alias), value)


def test_a_legacy_entry_that_opens_the_keystore_is_adopted(real_builds: BuildsService, real_keyring: KeyringSecretStore,
                                                          shared_keystore: SharedKey) -> None:
    real_builds.import_key("legacy-ok", shared_keystore.path, shared_keystore.password)
    _to_legacy(real_keyring, real_builds, "legacy-ok", shared_keystore.password)
    done = build_ended(real_builds, real_builds.start_build("quotes-daily", "1.0.0", "apk", key_alias="legacy-ok").id, 90)
    assert done.state is BuildState.SIGNED and done.fingerprint == shared_keystore.fingerprint
    assert real_keyring.get(real_builds.passwords.name("legacy-ok")) == shared_keystore.password
    assert real_keyring.get(legacy_name("legacy-ok")) == shared_keystore.password  # another data dir may need it


def test_a_legacy_entry_that_opens_another_keystore_is_not_adopted(real_builds: BuildsService,
                                                                  real_keyring: KeyringSecretStore,
                                                                  shared_keystore: SharedKey,
                                                                  other_keystore: SharedKey) -> None:
    real_builds.import_key("legacy-bad", shared_keystore.path, shared_keystore.password)
    # what `keys create` in a second data dir did: the shared entry now opens *its* keystore
    _to_legacy(real_keyring, real_builds, "legacy-bad", other_keystore.password)
    with pytest.raises(UserError, match="holds no password that opens key 'legacy-bad'"):
        real_builds.start_build("quotes-daily", "1.0.0", "apk", key_alias="legacy-bad")
    assert real_keyring.get(real_builds.passwords.name("legacy-bad")) is None
    assert real_keyring.get(legacy_name("legacy-bad")) == other_keystore.password  # left as it is


def test_an_entry_of_the_same_key_under_another_data_dir_id_is_adopted(real_builds: BuildsService,
                                                                       real_keyring: KeyringSecretStore,
                                                                       shared_keystore: SharedKey) -> None:
    # a data dir restored without its keyring-id file gets a new id; the old entry is found by proof
    real_builds.import_key("moved", shared_keystore.path, shared_keystore.password)
    old_name = real_builds.passwords.name("moved")
    id_file = real_builds.ctx.data_dir / "keyring-id"
    id_file.unlink()
    fresh = BuildsService(real_builds.ctx, real_builds.templates)
    assert fresh.passwords.name("moved") != old_name
    assert fresh.key_password("moved") == shared_keystore.password
    assert real_keyring.get(fresh.passwords.name("moved")) == shared_keystore.password
    fresh.shutdown()


def test_keys_create_never_overwrites_an_entry_it_did_not_write(real_builds: BuildsService,
                                                                real_keyring: KeyringSecretStore) -> None:
    name = real_builds.passwords.name("taken")
    real_keyring.set(name, "password-of-a-keystore-in-a-backup")
    with pytest.raises(ConflictError, match="already holds a password for key 'taken'"):
        real_builds.create_key("taken")
    assert real_keyring.get(name) == "password-of-a-keystore-in-a-backup"
    assert not (real_builds.keys_dir / "taken.p12").exists()
    assert real_builds.list_keys() == []


def test_doctor_names_a_key_its_keyring_password_does_not_open(make_services: Callable[..., Services],
                                                               real_keyring: KeyringSecretStore,
                                                               shared_keystore: SharedKey,
                                                               other_keystore: SharedKey, qapp: Any) -> None:
    manager = make_services(secrets=real_keyring)
    svc = manager.builds
    svc.import_key("good", shared_keystore.path, shared_keystore.password)
    svc.import_key("broken", other_keystore.path, other_keystore.password)
    real_keyring.set(svc.passwords.name("broken"), "not-its-password")
    checks = {c.name: c for c in manager.doctor()}
    assert checks["key:good"].ok
    assert not checks["key:broken"].ok
    assert "does not open" in checks["key:broken"].detail and "broken.p12" in checks["key:broken"].detail
