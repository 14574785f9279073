"""The keyring backend is chosen as keyring chooses it, without loading what cannot run on this OS.

Each case runs in a fresh interpreter (keyring chooses once per process), against the real Secret
Service that `make test` starts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(sys.platform == "darwin", reason="about the other platforms: macOS uses that backend")


def fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    return done.stdout.strip()


@pytest.mark.child_process
def test_off_macos_choosing_the_backend_looks_for_no_macos_framework() -> None:
    """keyring's macOS backend looks for the Security framework with ctypes.util.find_library, which
    off macOS runs ldconfig, gcc and ld for each library asked: none is asked for here."""
    code = ("import ctypes.util\nasked = []\nfind = ctypes.util.find_library\n"
            "ctypes.util.find_library = lambda name: asked.append(name) or find(name)\n"
            "from services.secrets import KeyringSecretStore\nKeyringSecretStore().backend_name()\nprint(asked)")
    assert fresh(code) == "[]"


@pytest.mark.child_process
def test_the_store_uses_the_backend_keyring_itself_picks() -> None:
    ours = fresh("from services.secrets import KeyringSecretStore\nprint(KeyringSecretStore().backend_name())")
    keyrings = fresh("import keyring\nk = keyring.get_keyring()\nprint(f'{type(k).__module__}.{type(k).__name__}')")
    assert ours == keyrings
    assert "SecretService" in ours  # the real Secret Service of the test session, not the fail backend
