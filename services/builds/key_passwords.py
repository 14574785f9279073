"""Where a keystore's password lives in the keyring: one entry per data directory *and* key alias.

The entry is ``keystore:<data-dir-id>:<alias>``. The data dir id is a random id written once into
the data dir (file ``keyring-id``), so it moves with the directory and two data dirs never share
an entry. Entries of older versions (``keystore:<alias>``, shared by every data dir) and entries
written under another id (a data dir restored from a copy) are adopted only after proving that the
password opens this data dir's keystore, and an existing entry is never overwritten.
"""

from __future__ import annotations

import logging
import os
import re
import secrets as pysecrets
from collections.abc import Callable
from pathlib import Path

from app.errors import ConflictError, UserError
from services.secrets import SecretStore

log = logging.getLogger(__name__)

DIR_ID_FILE = "keyring-id"
_PREFIX = "keystore:"
_ID = re.compile(r"[0-9a-f]{32}")

# password -> does it open this key's keystore (with the recorded certificate)?
Opens = Callable[[str], bool]


def legacy_name(alias: str) -> str:
    """The entry name of versions that had one entry per alias for every data dir."""
    return f"{_PREFIX}{alias}"


def entry_name(dir_id: str, alias: str) -> str:
    return f"{_PREFIX}{dir_id}:{alias}"


def data_dir_id(data_dir: Path) -> str:
    """This data dir's keyring id, created on first use (atomically: two processes agree on one)."""
    path = data_dir / DIR_ID_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".{DIR_ID_FILE}.{os.getpid()}.{pysecrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (pysecrets.token_hex(16) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if another process made it first: theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    value = path.read_text(encoding="ascii", errors="replace").strip()
    if not _ID.fullmatch(value):
        raise UserError(f"{path} is damaged (expected 32 hex digits); restore it from a backup of this data dir "
                        "to reach its keystore passwords in the keyring")
    return value


class KeyPasswords:
    """Reads and writes keystore passwords of one data dir in the secret store."""

    def __init__(self, secrets: SecretStore, data_dir: Path) -> None:
        self._secrets = secrets
        self._data_dir = data_dir
        self._dir_id: str | None = None

    def name(self, alias: str) -> str:
        if self._dir_id is None:
            self._dir_id = data_dir_id(self._data_dir)
        return entry_name(self._dir_id, alias)

    def require_free(self, alias: str) -> None:
        """Refuse a new key whose entry exists already: it may open a keystore kept elsewhere."""
        name = self.name(alias)
        if self._secrets.get(name):
            raise ConflictError(
                f"the keyring already holds a password for key {alias!r} of this data dir (entry {name}) "
                "that no key here uses; it may open a keystore in a backup or copy of this data dir, "
                "so it is left as it is. Nothing was created; pick another alias")

    def store(self, alias: str, password: str) -> str:
        """Write the new key's password; never replaces a different existing value."""
        name = self.name(alias)
        existing = self._secrets.get(name)
        if existing and existing != password:
            self.require_free(alias)
        self._secrets.set(name, password)
        return name

    def forget(self, alias: str) -> None:
        self._secrets.delete(self.name(alias))

    def password(self, alias: str, opens: Opens) -> str | None:
        """This key's password: its own entry, else a proven older or foreign entry, adopted."""
        name = self.name(alias)
        own = self._secrets.get(name)
        if own:
            return own
        found = self.find_opening(alias, opens)
        if found is not None:
            candidate, value = found
            self._secrets.set(name, value)  # own entry was empty: nothing is overwritten
            log.info("keystore password of key %s adopted from keyring entry %s into %s", alias, candidate, name)
            return value
        return None

    def find_opening(self, alias: str, opens: Opens) -> tuple[str, str] | None:
        """Another entry for ``alias`` (legacy, or another data dir id) whose password opens the keystore."""
        own = self.name(alias)
        suffix = f":{alias}"
        names = [legacy_name(alias)] + [
            n for n in self._secrets.names() if n.startswith(_PREFIX) and n.endswith(suffix) and n != own]
        for candidate in dict.fromkeys(names):
            value = self._secrets.get(candidate)
            if value and opens(value):
                return candidate, value
        return None
