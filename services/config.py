"""One configuration for the composition root: data dir, provider base URLs, tunables."""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "TrendForge"

DEFAULT_BASE_URLS: dict[str, str] = {
    "STRIPE": "https://api.stripe.com",
    "GUMROAD": "https://api.gumroad.com/v2",
    "ITCH": "https://itch.io/api/1",
    "REDDIT": "https://www.reddit.com",
    "GOOGLE_TRENDS": "https://trends.google.com",
    "X": "https://api.x.com/2",
    "TIKTOK": "https://ads.tiktok.com",
    "PLAY": "https://androidpublisher.googleapis.com",
}


MAX_ACTOR = 120

SAVED_FILE = "store.json"
ENV_VAR = "TRENDFORGE_DATABASE_URL"


class StoreSource(enum.StrEnum):
    """Where the URL of the store in use came from, in the order they win."""

    FLAG = "--database"
    ENV = ENV_VAR
    SETTING = "Settings"
    LOCAL = "the local SQLite file"


PRECEDENCE = (f"{StoreSource.FLAG.value}, then {StoreSource.ENV.value}, then the URL saved here, "
              "then the local SQLite file in the data directory")


def saved_file(data_dir: Path) -> Path:
    return data_dir / SAVED_FILE


def read_saved(data_dir: Path) -> str | None:
    """The URL saved in Settings, or None. A damaged file is given back as its text, so opening the store
    refuses it in one line (rather than silently falling back to another store)."""
    try:
        text = saved_file(data_dir).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError:
        return text.strip() or None
    url = loaded.get("database_url") if isinstance(loaded, dict) else None
    return url.strip() or None if isinstance(url, str) else None


def resolve_store(data_dir: Path, env: Mapping[str, str], flag: str | None) -> tuple[str | None, StoreSource]:
    """The store's URL (None: the local SQLite file) and where it came from (see :data:`PRECEDENCE`).

    ``--database``, then ``TRENDFORGE_DATABASE_URL``, then the URL saved in Settings (the data dir's
    ``store.json``: it cannot live in the database it chooses), then the data dir's SQLite file."""
    if flag and flag.strip():
        return flag.strip(), StoreSource.FLAG
    from_env = env.get(ENV_VAR, "").strip()
    if from_env:
        return from_env, StoreSource.ENV
    saved = read_saved(data_dir)
    if saved:
        return saved, StoreSource.SETTING
    return None, StoreSource.LOCAL



def default_actor() -> str:
    """``user@host`` of this process: who did what, in a studio sharing one store."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's numeric uid)
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"{user}@{socket.gethostname()}"[:MAX_ACTOR]


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """``--data-dir`` wins, then ``TRENDFORGE_HOME``, then the platform's user data dir."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    home = env.get("TRENDFORGE_HOME", "").strip()
    if home:
        return Path(home).expanduser().resolve()
    return default_data_dir()


@dataclass
class AppConfig:
    data_dir: Path
    base_urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BASE_URLS))
    cache_ttl: float = 30.0
    log_to_file: bool = True
    # a shared store (team mode): ``postgresql+psycopg://...``; None: the SQLite file in the data dir
    database_url: str | None = None
    # where database_url came from (see resolve_store)
    store_source: StoreSource = StoreSource.LOCAL
    # who this process acts for, on every event and edit it records (TRENDFORGE_ACTOR, default user@host)
    actor: str = field(default_factory=lambda: default_actor())
    # how long a machine's silence leaves its builds to it before another recovers them (TRENDFORGE_LEASE_SECONDS)
    lease_seconds: float = 30.0

    @property
    def db_path(self) -> Path:
        return self.data_dir / "trendforge.sqlite3"

    @property
    def shared_store(self) -> bool:
        """The store is a database server the studio shares, not this data dir's file."""
        return self.database_url is not None

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None,
                 *, database: str | None = None) -> AppConfig:
        """The store: ``database`` (``--database``), ``TRENDFORGE_DATABASE_URL``, the URL saved in Settings, else
        the data dir's file (decided in :func:`resolve_store`)."""
        env = os.environ if env is None else env
        urls = dict(DEFAULT_BASE_URLS)
        for name in urls:
            override = env.get(f"TRENDFORGE_{name}_BASE_URL", "").strip()
            if override:
                urls[name] = override.rstrip("/")
        home = resolve_data_dir(data_dir, env)
        url, source = resolve_store(home, env, database)
        actor = " ".join(env.get("TRENDFORGE_ACTOR", "").split())[:MAX_ACTOR] or default_actor()
        try:
            lease = max(1.0, float(env.get("TRENDFORGE_LEASE_SECONDS", "") or 30.0))
        except ValueError:
            lease = 30.0
        return cls(data_dir=home, base_urls=urls, database_url=url, store_source=source, actor=actor,
                   lease_seconds=lease)
