"""The composition root: builds every service from one config.

Nothing else in the code base constructs services, engines or buses; the GUI, the CLI and
the tests all call :func:`bootstrap` (tests with a temp data dir and a fake secret store).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine

import app
from app.health import Health, HealthState, worst
from app.timeutil import Clock, utcnow
from services.base import BaseService
from services.config import AppConfig
from services.context import ServiceContext
from services.db.base import make_session_factory
from services.db.preflight import open_store
from services.db.uow import UnitOfWork
from services.events.bus import EventBus
from services.events.service import EventsService
from services.events.store import EventStore
from services.logs import install_file_logging
from services.redaction import install_on_engine as install_redaction
from services.secrets import KeyringSecretStore, SecretStore
from services.settings.service import SettingsService
from services.system import Check, machine_checks

if TYPE_CHECKING:
    from services.builds.service import BuildsService
    from services.home.service import HomeService
    from services.payments.service import PaymentsService
    from services.releases.service import ReleasesService
    from services.templates.service import TemplatesService
    from services.trends.service import TrendsService
    from services.workflows.service import WorkflowsService

log = logging.getLogger(__name__)


@dataclass
class ServiceManager:
    """Holds every service; the UI and CLI reach services only through it."""

    ctx: ServiceContext
    events: EventsService
    settings: SettingsService
    extra: dict[str, BaseService] = field(default_factory=dict)
    _log_handler: logging.Handler | None = None
    _closers: list[Callable[[], Any]] = field(default_factory=list)

    @property
    def bus(self) -> EventBus:
        return self.ctx.bus

    @property
    def config(self) -> AppConfig:
        return self.ctx.config

    @property
    def workflows(self) -> WorkflowsService:
        return cast("WorkflowsService", self.extra["workflows"])

    @property
    def builds(self) -> BuildsService:
        return cast("BuildsService", self.extra["builds"])

    @property
    def templates(self) -> TemplatesService:
        return cast("TemplatesService", self.extra["templates"])

    @property
    def payments(self) -> PaymentsService:
        return cast("PaymentsService", self.extra["payments"])

    @property
    def releases(self) -> ReleasesService:
        return cast("ReleasesService", self.extra["releases"])

    @property
    def trends(self) -> TrendsService:
        return cast("TrendsService", self.extra["trends"])

    @property
    def home(self) -> HomeService:
        return cast("HomeService", self.extra["home"])

    def services(self) -> list[BaseService]:
        return [self.events, self.settings, *self.extra.values()]

    def health(self) -> dict[str, Any]:
        checks: list[Health] = []
        for svc in self.services():
            try:
                checks.append(svc.health())
            except Exception as exc:  # noqa: BLE001 - a broken health check is itself news
                checks.append(Health(svc.name, HealthState.DOWN, str(exc)))
        overall = worst([c.state for c in checks])
        return {
            "status": overall.value,
            "version": app.__version__,
            "data_dir": str(self.config.data_dir),
            "services": [c.to_dict() for c in checks],
        }

    def metrics(self) -> dict[str, Any]:
        return {
            "events_total": self.events.total(),
            "services": {svc.name: svc.metrics.snapshot() for svc in self.services()},
        }

    def doctor(self) -> list[Check]:
        checks = machine_checks(self.config, self.settings.health())
        if "builds" in self.extra:
            checks.extend(self.builds.key_checks())
        return checks

    def on_close(self, closer: Callable[[], Any]) -> None:
        """Run ``closer`` when the manager closes (last registered, first run)."""
        self._closers.append(closer)

    def close(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:
                log.exception("error while closing")
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
        self.ctx.engine.dispose()


def build_engine(config: AppConfig) -> Engine:
    return open_store(config)  # one line naming the file and the remedy when the data dir is damaged


def bootstrap(
    config: AppConfig,
    *,
    secrets: SecretStore | None = None,
    clock: Clock = utcnow,
) -> ServiceManager:
    engine = build_engine(config)
    store = EventStore(engine)
    bus = EventBus(engine, store)
    session_factory = make_session_factory(engine)
    secret_store: SecretStore = secrets if secrets is not None else KeyringSecretStore()
    install_redaction(engine, secret_store.known_values)  # no secret reaches a row, whoever writes it

    def new_uow() -> UnitOfWork:
        return UnitOfWork(session_factory, bus)

    ctx = ServiceContext(config=config, engine=engine, bus=bus, uow=new_uow, secrets=secret_store, clock=clock)
    manager = ServiceManager(ctx=ctx, events=EventsService(ctx), settings=SettingsService(ctx))
    if config.log_to_file:
        manager._log_handler = install_file_logging(config.log_dir, secret_store.known_values)
    # Each area wires its own services in services/<area>/wiring.py; order matters where one
    # area uses another (builds use templates; workflows use them all).
    from services.templates.wiring import wire as wire_templates

    wire_templates(manager)

    from services.builds.wiring import wire as wire_builds

    wire_builds(manager)

    from services.releases.wiring import wire as wire_releases

    wire_releases(manager)

    from services.payments.wiring import wire as wire_payments

    wire_payments(manager)

    from services.trends.wiring import wire as wire_trends

    wire_trends(manager)

    from services.workflows.wiring import wire as wire_workflows

    wire_workflows(manager)

    from services.home.wiring import wire as wire_home

    wire_home(manager)

    return manager
