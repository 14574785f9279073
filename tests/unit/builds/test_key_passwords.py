"""Naming and guarding of keystore password entries (fake secret store; the real keyring is in integration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ConflictError, UserError
from services.builds.key_passwords import KeyPasswords, data_dir_id
from services.secrets import MemorySecretStore


def test_two_data_dirs_get_different_entries_for_the_same_alias(tmp_path: Path) -> None:
    store = MemorySecretStore()
    a, b = KeyPasswords(store, tmp_path / "a"), KeyPasswords(store, tmp_path / "b")
    a.store("upload", "password-a")
    b.store("upload", "password-b")
    assert a.name("upload") != b.name("upload")
    assert a.password("upload", lambda pw: False) == "password-a"


def test_the_data_dir_id_is_stable_and_private(tmp_path: Path) -> None:
    first = data_dir_id(tmp_path)
    assert data_dir_id(tmp_path) == first
    assert (tmp_path / "keyring-id").stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["keyring-id"]


def test_a_damaged_data_dir_id_is_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "keyring-id").write_text("garbage")
    with pytest.raises(UserError, match="keyring-id is damaged"):
        data_dir_id(tmp_path)
    assert (tmp_path / "keyring-id").read_text() == "garbage"


def test_store_never_replaces_a_different_password(tmp_path: Path) -> None:
    store = MemorySecretStore()
    passwords = KeyPasswords(store, tmp_path)
    passwords.store("upload", "first-password")
    with pytest.raises(ConflictError):
        passwords.store("upload", "second-password")
    assert store.get(passwords.name("upload")) == "first-password"


def test_an_unproven_legacy_entry_is_not_adopted(tmp_path: Path) -> None:
    store = MemorySecretStore()
    store.set("keystore:upload", "someone-elses")
    passwords = KeyPasswords(store, tmp_path)
    assert passwords.password("upload", lambda pw: False) is None
    assert store.get(passwords.name("upload")) is None
    assert passwords.password("upload", lambda pw: pw == "someone-elses") == "someone-elses"
    assert store.get(passwords.name("upload")) == "someone-elses"
