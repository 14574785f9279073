"""A keyring backend for CLI subprocess tests: the real Secret Service for reads, every write refused.

This is the one fake at the keyring edge: a real Secret Service cannot be made to refuse one write on
demand here (a locked collection would raise an unlock prompt nobody can answer). Selected in a child
process with ``PYTHON_KEYRING_BACKEND=tests.support.keyring_backends.WriteRefusingKeyring``.
"""

from __future__ import annotations

from keyring.backends.SecretService import Keyring as SecretServiceKeyring
from keyring.errors import PasswordSetError


class WriteRefusingKeyring(SecretServiceKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the collection refused the write (test backend)")
