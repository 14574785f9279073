"""What every service is built with: passed in by the composition root, never global."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.timeutil import Clock, utcnow
from services.config import AppConfig
from services.db.uow import UnitOfWork, UnitOfWorkFactory
from services.secrets import SecretStore

if TYPE_CHECKING:
    from services.events.bus import EventBus  # Qt: imported by the composition root, after the rest


@dataclass
class ServiceContext:
    config: AppConfig
    engine: Engine
    bus: EventBus
    uow: UnitOfWorkFactory
    secrets: SecretStore
    clock: Clock = field(default=utcnow)

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    def new_uow(self) -> UnitOfWork:
        return self.uow()
