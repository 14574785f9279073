"""Signing keys through the CLI as a subprocess, with the real keyring (Secret Service under `make test`)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"


def tf(data_dir: Path, *args: str, env: dict[str, str] | None = None,
       timeout: float = 180) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, env=full_env, timeout=timeout, check=False)


def _apk_cert(apk: Path) -> str:
    out = subprocess.run(["apksigner", "verify", "--print-certs", str(apk)], capture_output=True, text=True, check=True)
    return out.stdout


@pytest.mark.slow
def test_a_key_created_in_a_second_data_dir_leaves_the_first_dirs_builds_signing(tmp_path: Path) -> None:
    # the reproduction: `keys create upload` in A, then in B, then a build in A
    a, b = tmp_path / "A", tmp_path / "B"
    assert tf(a, "templates", "import", str(SAMPLE)).returncode == 0
    key_a = json.loads(tf(a, "keys", "create", "upload", "--json").stdout)
    key_b = json.loads(tf(b, "keys", "create", "upload", "--json").stdout)
    assert key_a["keyring_entry"] != key_b["keyring_entry"]
    dest = tmp_path / "out"
    res = tf(a, "build", "quotes-daily", "--version", "1.0.0", "--deploy", f"folder:{dest}")
    assert res.returncode == 0, res.stderr
    assert key_a["fingerprint_sha256"] in _apk_cert(next(dest.glob("*.apk")))


REFUSING = {"PYTHON_KEYRING_BACKEND": "tests.support.keyring_backends.WriteRefusingKeyring",
            "PYTHONPATH": str(ROOT)}


def test_keys_create_whose_keyring_write_fails_leaves_no_keystore(tmp_path: Path) -> None:
    data = tmp_path / "home"
    res = tf(data, "keys", "create", "upload", env=REFUSING)
    assert res.returncode == 1
    assert len(res.stderr.strip().splitlines()) == 1 and "keyring refused to store" in res.stderr
    assert [p.name for p in (data / "keys").iterdir()] == []
    assert json.loads(tf(data, "keys", "list", "--json").stdout) == []
    # and the alias is free afterwards: nothing half-made blocks it
    res = tf(data, "keys", "create", "upload")
    assert res.returncode == 0, res.stderr


def test_keys_create_without_a_usable_keyring_leaves_no_keystore(tmp_path: Path) -> None:
    # keyring's own "fail" backend, which it picks when no keyring is installed
    data = tmp_path / "home"
    res = tf(data, "keys", "create", "upload", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert res.returncode == 1 and "keyring" in res.stderr
    assert not (data / "keys").exists() or [p.name for p in (data / "keys").iterdir()] == []


def test_keys_import_whose_keyring_write_fails_leaves_no_keystore(tmp_path: Path) -> None:
    source = tmp_path / "made.p12"
    subprocess.run(["keytool", "-genkeypair", "-noprompt", "-storetype", "PKCS12", "-keystore", str(source),
                    "-alias", "k", "-keyalg", "RSA", "-keysize", "2048", "-validity", "100",
                    "-storepass", "import-pass-1", "-dname", "CN=Import"], check=True, capture_output=True)
    data = tmp_path / "home"
    full_env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    full_env.update(REFUSING)
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "keys", "import", "imp",
                          str(source)], input="import-pass-1\n", capture_output=True, text=True, env=full_env,
                         timeout=120, check=False)
    assert res.returncode == 1 and "keyring refused to store" in res.stderr
    assert [p.name for p in (data / "keys").iterdir()] == []


def test_keys_create_tells_the_user_to_back_the_key_up(tmp_path: Path) -> None:
    res = tf(tmp_path / "home", "keys", "create", "upload")
    assert res.returncode == 0, res.stderr
    assert "Back up this key now" in res.stderr and "trendforge keys export upload DEST" in res.stderr


def test_keys_export_writes_the_keystore_and_says_where_the_password_is(tmp_path: Path) -> None:
    data = tmp_path / "home"
    key = json.loads(tf(data, "keys", "create", "upload", "--json").stdout)
    backup = tmp_path / "backup"
    backup.mkdir()
    res = tf(data, "keys", "export", "upload", str(backup))
    assert res.returncode == 0, res.stderr
    exported = backup / "upload.p12"
    assert exported.read_bytes() == Path(key["keystore_path"]).read_bytes()
    assert exported.stat().st_mode & 0o077 == 0
    assert key["keyring_entry"] in res.stderr and "--show-password" in res.stderr
    assert [p.name for p in backup.iterdir()] == ["upload.p12"]  # no temp file left


def test_keys_export_never_replaces_a_file(tmp_path: Path) -> None:
    data = tmp_path / "home"
    assert tf(data, "keys", "create", "upload").returncode == 0
    target = tmp_path / "old.p12"
    target.write_bytes(b"an older backup")
    res = tf(data, "keys", "export", "upload", str(target))
    assert res.returncode == 1 and "exists already" in res.stderr
    assert target.read_bytes() == b"an older backup"


def test_keys_export_refuses_to_print_the_password_into_a_pipe(tmp_path: Path) -> None:
    data = tmp_path / "home"
    assert tf(data, "keys", "create", "upload").returncode == 0
    res = tf(data, "keys", "export", "upload", str(tmp_path / "k.p12"), "--show-password")
    assert res.returncode == 1 and "only on a terminal" in res.stderr
    assert not (tmp_path / "k.p12").exists()


def test_keys_export_shows_the_password_on_a_terminal(tmp_path: Path) -> None:
    data = tmp_path / "home"
    full_env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    made = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "keys", "create", "upload",
                           "--password-stdin"], input="typed-pass-123\n", capture_output=True, text=True,
                          env=full_env, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "keys", "export",
                             "upload", str(tmp_path / "k.p12"), "--show-password"],
                            stdin=terminal, stdout=terminal, stderr=terminal, env=full_env)
    os.close(terminal)
    seen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert proc.wait(60) == 0, seen
    assert b"keystore password: typed-pass-123" in seen
    assert b"typed-pass-123" not in (tmp_path / "k.p12").read_bytes()
