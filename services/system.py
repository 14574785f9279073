"""Doctor: what the app needs from this machine, and whether it is there."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass

from app.health import Health
from services.config import AppConfig

# tool -> Debian package that ships it
TOOL_PACKAGES: dict[str, str] = {
    "aapt2": "aapt",
    "zipalign": "zipalign",
    "apksigner": "apksigner",
    "smali": "libsmali-java",
    "keytool": "openjdk-17-jre-headless",
    "jarsigner": "openjdk-17-jdk-headless",
    "adb": "adb",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "hint": self.hint}


def tool_checks() -> list[Check]:
    out = []
    for tool, package in TOOL_PACKAGES.items():
        path = shutil.which(tool)
        out.append(
            Check(
                f"tool:{tool}",
                path is not None,
                path or "not found on PATH",
                "" if path else f"install it: apt-get install {package}",
            )
        )
    return out


def sqlite_check() -> Check:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        fts = True
    except sqlite3.OperationalError:
        fts = False
    finally:
        conn.close()
    return Check("sqlite", fts, f"SQLite {sqlite3.sqlite_version}, FTS5 {'yes' if fts else 'missing'}")



def machine_checks(config: AppConfig, keyring: Health, store_error: Exception | None = None) -> list[Check]:
    """Data dir, database, SQLite, keyring and tools: what doctor reports, with or without a usable store.

    ``store_error`` is why the database could not be opened; every other check still runs.
    """
    data_dir = config.data_dir
    if store_error is None and config.database_url is not None:  # a shared store: where (no password), who chose it
        from services.db.backend import describe

        database = Check("database", True, f"{describe(config.database_url)} (chosen by {config.store_source.value})")
    elif store_error is None:
        database = Check("database", config.db_path.exists(), str(config.db_path))
    else:
        database = Check("database", False, str(store_error))
    return [
        Check("data_dir", data_dir.is_dir(), str(data_dir)),
        database,
        sqlite_check(),
        Check("keyring", keyring.ok, keyring.detail,
              "" if keyring.ok else "install and unlock gnome-keyring (or another Secret Service)"),
        *tool_checks(),
    ]


def offline_checks(config: AppConfig, store_error: Exception) -> list[Check]:
    """Doctor's report when the store cannot be opened (damaged, newer, read-only, full disk)."""
    from services.secrets import KeyringSecretStore, keyring_health

    return machine_checks(config, keyring_health(KeyringSecretStore()), store_error)
