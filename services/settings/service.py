"""Settings and credentials.

Non-secret settings (provider base URLs, toolchain paths, theme) live in the ``settings``
table; credentials live only in the keyring through the secret store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.choice import parse_name
from app.credentials import credential_problem
from app.errors import UserError
from app.events import CredentialDeleted, CredentialSet, SettingsChanged
from app.health import Health
from app.workflows.engine_kind import EngineKind
from services.base import BaseService, operation
from services.context import ServiceContext
from services.db import store_choice
from services.db.backend import DatabaseUrlError, describe
from services.db.models import SettingRecord
from services.db.store_choice import StoreSource
from services.secrets import PROVIDER_NAMES, credential_key, keyring_health

THEMES = ("system", "light", "dark")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
STORE_SETTING = "store.database_url"  # the name its change event carries (the URL itself is in the data dir)


@dataclass(frozen=True)
class StoreInUse:
    """The store this process opened: where (no password) and which source chose it."""

    where: str
    source: StoreSource
    saved: str | None  # the URL saved in Settings for the next start, None: none saved


class SettingsService(BaseService):
    name = "settings"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)

    # -- plain settings ---------------------------------------------------------------
    @operation
    def all(self) -> dict[str, Any]:
        def load() -> dict[str, Any]:
            with self.ctx.new_uow() as uow:
                return {r.key: r.value for r in uow.session.scalars(select(SettingRecord))}

        return dict(self.cached("all", load))

    def get(self, key: str, default: Any = None) -> Any:
        return self.all().get(key, default)

    @operation
    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            self.require(re.fullmatch(r"[a-z0-9_.]{1,120}", key), f"invalid setting name {key!r}")
            if key == "ui.theme":
                self.require(value in THEMES, f"theme must be one of {', '.join(THEMES)}")
            if key == "workflows.engine":
                kinds = ", ".join(k.value for k in EngineKind)
                self.require(value in {k.value for k in EngineKind}, f"workflows.engine must be one of {kinds}, got {value!r}")
            if key.startswith("base_url.") and value:
                self.require(
                    isinstance(value, str) and re.match(r"^https?://[^\s]+$", value),
                    f"{key} must be an http(s) URL such as https://api.example.com",
                )
        with self.ctx.new_uow() as uow:
            for key, value in values.items():
                uow.session.merge(SettingRecord(key=key, value=value))
            uow.record(SettingsChanged(source=self.name, keys=tuple(sorted(values))))
            uow.commit()
        self.invalidate()

    def base_url(self, name: str) -> str:
        """The provider base URL: environment override, then saved setting, then default."""
        import os

        env = os.environ.get(f"TRENDFORGE_{name}_BASE_URL", "").strip()
        if env:
            return env.rstrip("/")
        saved = self.get(f"base_url.{name.lower()}")
        if isinstance(saved, str) and saved:
            return saved.rstrip("/")
        return self.ctx.config.base_urls[name]

    # -- the store (team mode) -----------------------------------------------------------------------------
    def store_in_use(self) -> StoreInUse:
        config = self.ctx.config
        where = describe(config.database_url) if config.database_url else str(config.db_path)
        return StoreInUse(where=where, source=config.store_source, saved=store_choice.read_saved(config.data_dir))

    @operation
    def save_store(self, given: str) -> str | None:
        """Save the shared store's URL for the next start ('' for the local SQLite file); a URL with a
        password, or one TrendForge cannot open, is refused in one line and nothing is saved."""
        try:
            saved = store_choice.write_saved(self.ctx.config.data_dir, given)
        except DatabaseUrlError as exc:
            raise UserError(f"{exc}; nothing was saved") from None
        with self.ctx.new_uow() as uow:
            uow.record(SettingsChanged(source=self.name, keys=(STORE_SETTING,)))
            uow.commit()
        return saved

    @operation
    def test_store(self, given: str) -> str:
        """Connect once to the store at ``given`` and say what answered (slow: call it off the GUI thread)."""
        try:
            return store_choice.probe(given)
        except DatabaseUrlError as exc:
            raise UserError(str(exc)) from None

    # -- credentials -----------------------------------------------------------------
    @staticmethod
    def _credential_key(name: str) -> str:
        return credential_key(parse_name(name, PROVIDER_NAMES, "credential"))

    @operation
    def set_credential(self, name: str, secret: str) -> None:
        key = self._credential_key(name)
        secret = secret.strip()
        self.require(secret, f"the credential for {name} is empty; nothing was stored")
        problem = credential_problem(name, secret)
        self.require(problem is None, f"{name}: {problem}; nothing was stored")
        self.ctx.secrets.set(key, secret)
        with self.ctx.new_uow() as uow:
            uow.record(CredentialSet(source=self.name, name=name))
            uow.commit()

    @operation
    def credential(self, name: str) -> str | None:
        return self.ctx.secrets.get(self._credential_key(name))

    @operation
    def list_credentials(self) -> list[str]:
        return sorted(n.split(":", 1)[1] for n in self.ctx.secrets.names() if n.startswith("provider:"))

    @operation
    def delete_credential(self, name: str) -> bool:
        existed = self.ctx.secrets.delete(self._credential_key(name))
        if existed:
            with self.ctx.new_uow() as uow:
                uow.record(CredentialDeleted(source=self.name, name=name))
                uow.commit()
        return existed

    def health(self) -> Health:
        return keyring_health(self.ctx.secrets)
