"""Signing keys: keystores made or read with keytool; passwords only in the secret store."""

from __future__ import annotations

import re
import secrets as pysecrets
from dataclasses import dataclass
from pathlib import Path

from app.errors import ToolError, UserError
from services.builds.pipeline import PASS_VAR, parse_keytool_fingerprint
from services.builds.tools import run_tool_sync

DEFAULT_DNAME = "CN=TrendForge Upload Key, O=TrendForge, C=US"


def generate_password() -> str:
    return pysecrets.token_urlsafe(32)


@dataclass(frozen=True)
class KeystoreFacts:
    key_alias: str
    fingerprint: str
    subject: str


def _check_dname(dname: str) -> str:
    if not re.fullmatch(r"(?:[A-Za-z]+=[^,=]+)(?:,\s*[A-Za-z]+=[^,=]+)*", dname.strip()):
        raise UserError(f"invalid distinguished name {dname!r}; use e.g. \"CN=Jane Doe, O=Indie, C=US\"")
    return dname.strip()


def generate_keystore(path: Path, key_alias: str, password: str, dname: str | None) -> KeystoreFacts:
    if len(password) < 6:
        raise UserError("a keystore password needs at least 6 characters")
    path.parent.mkdir(parents=True, exist_ok=True)
    result = run_tool_sync(
        "keytool",
        ["-genkeypair", "-noprompt", "-storetype", "PKCS12", "-keystore", str(path), "-alias", key_alias,
         "-keyalg", "RSA", "-keysize", "2048", "-validity", "10000",
         "-storepass:env", PASS_VAR, "-keypass:env", PASS_VAR, "-dname", _check_dname(dname or DEFAULT_DNAME)],
        env={PASS_VAR: password},
    )
    if not result.ok:
        path.unlink(missing_ok=True)
        raise ToolError(f"keytool could not create the keystore: {result.tail()}")
    return inspect_keystore(path, password, key_alias)


def inspect_keystore(path: Path, password: str, key_alias: str | None = None) -> KeystoreFacts:
    """Open the keystore with ``password``; return its (first private) key's alias, fingerprint and subject."""
    args = ["-list", "-v", "-keystore", str(path), "-storepass:env", PASS_VAR]
    if key_alias:
        args += ["-alias", key_alias]
    result = run_tool_sync("keytool", args, env={PASS_VAR: password})
    text = "\n".join(result.lines)
    if not result.ok:
        if "password was incorrect" in text or "Integrity check failed" in text or "MAC" in text:
            raise UserError(f"wrong password for keystore {path.name}")
        raise ToolError(f"keytool cannot read {path.name}: {result.tail()}")
    aliases = re.findall(r"^Alias name:\s*(.+?)\s*$", text, flags=re.MULTILINE)
    entries = re.findall(r"^Entry type:\s*(\S+)", text, flags=re.MULTILINE)
    chosen = key_alias
    if chosen is None:
        for name, kind in zip(aliases, entries, strict=False):
            if kind == "PrivateKeyEntry":
                chosen = name
                break
    if not chosen:
        raise UserError(f"{path.name} holds no private key to sign with")
    # the first certificate listed after the chosen alias
    section = text.split(f"Alias name: {chosen}", 1)[-1]
    fingerprint = parse_keytool_fingerprint(section.splitlines())
    owner = re.search(r"^Owner:\s*(.+?)\s*$", section, flags=re.MULTILINE)
    return KeystoreFacts(chosen, fingerprint, owner[1] if owner else "")
