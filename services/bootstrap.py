"""The composition root: the only module that sees every area, and one that no area imports.

:func:`bootstrap` opens the database (migrations included) and builds the core (event log,
settings) at once; each area's service is built the first time it is asked for, with the
other areas it needs handed in through the Protocols of :mod:`services.ports`. So a CLI
command imports and builds only the areas it uses, and the GUI builds them off its thread.

Constructing is separate from starting. :meth:`Services.start` runs the start-up chores
(recovery of interrupted builds and workflow runs, the built-in workflow definitions) of the
areas built so far and of every area built after it; :meth:`Services.start_schedules` starts
the timers (the scheduled trends sync), which the GUI asks for and the CLI does not.
"""

from __future__ import annotations

import enum
import importlib
import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from sqlalchemy import Engine

import app
from app.health import Health, HealthState, worst
from app.releases.results import PublishResult
from app.timeutil import Clock, utcnow
from services.base import BaseService
from services.config import AppConfig
from services.context import ServiceContext
from services.db.base import make_session_factory
from services.db.page_cache import release_page_caches
from services.db.preflight import open_store
from services.db.uow import UnitOfWork
from services.events.service import EventsService
from services.events.store import EventStore
from services.logs import install_file_logging
from services.metrics import MetricsSnapshot
from services.redaction import install_on_engine as install_redaction
from services.secrets import KeyringSecretStore, SecretStore
from services.settings.service import SettingsService
from services.system import Check, machine_checks

if TYPE_CHECKING:
    from app.templates.model import TemplateInfo, TemplateSummary
    from services.builds.service import BuildsService
    from services.events.bus import EventBus
    from services.home.service import HomeService
    from services.payments.service import PaymentsService
    from services.ports import TemplateFigures
    from services.releases.service import ReleasesService
    from services.templates.service import TemplatesService
    from services.trends.service import TrendsService
    from services.workflows.service import WorkflowsService

log = logging.getLogger(__name__)

S = TypeVar("S", bound=BaseService)


class Area(enum.StrEnum):
    """The areas, in the order they are closed in (home reads them all; workflows drive the others)."""

    HOME = "home"
    WORKFLOWS = "workflows"
    TRENDS = "trends"
    PAYMENTS = "payments"
    RELEASES = "releases"
    BUILDS = "builds"
    TEMPLATES = "templates"


@dataclass
class _Slot(Generic[S]):
    """One area's service: built on first use (under the root's lock), started if the root is."""

    build: Callable[[Services], S]
    start: Callable[[S], None]
    close: Callable[[S], object]
    value: S | None = None
    started: bool = False


class _Root:
    """A weak reference to the root, for what the areas hold: no cycle keeps a closed app (and its
    QObjects) alive until a garbage collection that may run on any thread."""

    def __init__(self, services: Services) -> None:
        self._ref = weakref.ref(services)

    def __call__(self) -> Services:
        services = self._ref()
        if services is None:
            raise RuntimeError("the services were closed and released")
        return services


class _TemplatesOnDemand:
    """The templates area as a :class:`~services.ports.TemplateCatalogue`, built when first asked."""

    def __init__(self, root: _Root) -> None:
        self._root = root

    def get(self, template_id: str) -> TemplateInfo:
        return self._root().templates.get(template_id)

    def package_dir(self, template_id: str) -> Path:
        return self._root().templates.package_dir(template_id)

    def find(self) -> Sequence[TemplateSummary]:
        return self._root().templates.find()


class _PlayOnDemand:
    """The releases area as the builds area's :class:`~services.builds.play_port.PlayPort`, built when first used."""

    def __init__(self, root: _Root) -> None:
        self._root = root

    def highest_version_code(self, application_id: str, track: str | None = None) -> int | None:
        return self._root().releases.highest_version_code(application_id, track)

    def publish_build(self, application_id: str, artifact: Path, track: str, version_code: int, *,
                      status: str, user_fraction: float | None, notes: Mapping[str, str],
                      dry_run: bool) -> PublishResult:
        return self._root().releases.publish_build(application_id, artifact, track, version_code, status=status,
                                                   user_fraction=user_fraction, notes=notes, dry_run=dry_run)


class HealthReport(TypedDict):
    """``Services.health()``: the worst state, and each service's."""

    status: str
    version: str
    data_dir: str
    services: list[dict[str, str]]


class MetricsReport(TypedDict):
    events_total: int
    services: dict[str, MetricsSnapshot]


class Services:
    """Every service of one data directory, typed; the UI and the CLI reach services only through it.

    Read-only: the core is built with it, each area on first access of its property.
    """

    def __init__(self, ctx: ServiceContext, events: EventsService, settings: SettingsService) -> None:
        self.ctx = ctx
        self.events = events
        self.settings = settings
        self._log_handler: logging.Handler | None = None
        self._closers: list[Callable[[], object]] = []
        self._lock = threading.RLock()
        self._started = False
        self._templates: _Slot[TemplatesService] = _Slot(Services._build_templates, _start_templates, _no_close)
        self._builds: _Slot[BuildsService] = _Slot(Services._build_builds, _start_builds, _close_builds)
        self._payments: _Slot[PaymentsService] = _Slot(Services._build_payments, _no_start, _no_close)
        self._trends: _Slot[TrendsService] = _Slot(Services._build_trends, _no_start, _close_trends)
        self._workflows: _Slot[WorkflowsService] = _Slot(Services._build_workflows, _start_workflows, _close_workflows)
        self._home: _Slot[HomeService] = _Slot(Services._build_home, _no_start, _no_close)
        self._releases: _Slot[ReleasesService] = _Slot(Services._build_releases, _no_start, _close_releases)

    # -- the areas --------------------------------------------------------------------------
    @property
    def templates(self) -> TemplatesService:
        return self._get(self._templates)

    @property
    def builds(self) -> BuildsService:
        return self._get(self._builds)

    @property
    def payments(self) -> PaymentsService:
        return self._get(self._payments)

    @property
    def trends(self) -> TrendsService:
        return self._get(self._trends)

    @property
    def workflows(self) -> WorkflowsService:
        return self._get(self._workflows)

    @property
    def home(self) -> HomeService:
        return self._get(self._home)

    @property
    def releases(self) -> ReleasesService:
        return self._get(self._releases)

    def _slots(self) -> list[_Slot[Any]]:
        by_area: dict[Area, _Slot[Any]] = {
            Area.HOME: self._home, Area.RELEASES: self._releases, Area.WORKFLOWS: self._workflows, Area.TRENDS: self._trends, Area.PAYMENTS: self._payments,
            Area.BUILDS: self._builds, Area.TEMPLATES: self._templates,
        }
        return [by_area[a] for a in Area]

    def built(self) -> list[Area]:
        """The areas built so far."""
        return [area for area, slot in zip(Area, self._slots(), strict=True) if slot.value is not None]

    def _get(self, slot: _Slot[S]) -> S:
        value = slot.value
        if value is not None and (slot.started or not self._started):
            return value
        with self._lock:
            if slot.value is None:
                slot.value = slot.build(self)
            if self._started and not slot.started:
                slot.started = True
                _run_chore(slot.start, slot.value)
            return slot.value

    def _build_templates(self) -> TemplatesService:
        from services.templates.service import TemplatesService

        svc = TemplatesService(self.ctx)
        # the figures other areas add to a template's stats: plain reads of their tables, the areas not built
        # (and their tables' modules imported when a template's stats are first asked for)
        ctx = self.ctx

        def build_figures(ids: list[str]) -> dict[str, TemplateFigures]:
            from services.builds.stats import template_build_stats

            return template_build_stats(ctx, ids)

        def revenue_figures(ids: list[str]) -> dict[str, TemplateFigures]:
            from services.payments.stats import template_revenue

            return template_revenue(ctx, ids)

        svc.register_stats_source(build_figures)
        svc.register_stats_source(revenue_figures)
        return svc

    def _build_builds(self) -> BuildsService:
        from services.builds.service import BuildsService

        limit = self.settings.get("builds.max_concurrent", 2)
        svc = BuildsService(
            self.ctx,
            _TemplatesOnDemand(_Root(self)),
            max_concurrent=limit if isinstance(limit, int) and not isinstance(limit, bool) else 2,
            settings_get=self.settings.get,
            base_url=self.settings.base_url,
        )
        svc.play = _PlayOnDemand(_Root(self))  # Google Play publishing, from the releases area when first used
        return svc

    def _build_releases(self) -> ReleasesService:
        from services.releases.service import ReleasesService

        settings = self.settings
        return ReleasesService(self.ctx, base_url=lambda: settings.base_url("PLAY"))

    def _build_payments(self) -> PaymentsService:
        from services.payments.service import PaymentsService

        return PaymentsService(self.ctx, self.settings)

    def _build_trends(self) -> TrendsService:
        from services.trends.service import TrendsService

        return TrendsService(self.ctx, self.settings, templates=_TemplatesOnDemand(_Root(self)))

    def _build_workflows(self) -> WorkflowsService:
        from services.actions import ActionRegistry
        from services.builds.actions import register_actions as builds_actions
        from services.payments.actions import register_actions as payments_actions
        from services.templates.actions import register_actions as templates_actions
        from services.trends.actions import register_actions as trends_actions
        from services.workflows.service import WorkflowsService
        from services.workflows.temporal.config import team_temporal

        registry = ActionRegistry()
        root = _Root(self)
        # each area registers its own actions; the area itself is built when one of them runs
        trends_actions(registry, lambda: root().trends)
        templates_actions(registry, lambda: root().templates)
        builds_actions(registry, lambda: root().builds)
        payments_actions(registry, lambda: root().payments)
        temporal = team_temporal(self.settings.get, os.environ)  # team mode: new runs on Temporal workers
        return WorkflowsService(self.ctx, registry, temporal=temporal)

    def substitute(
        self,
        *,
        templates: TemplatesService | None = None,
        builds: BuildsService | None = None,
        payments: PaymentsService | None = None,
        trends: TrendsService | None = None,
        workflows: WorkflowsService | None = None,
        home: HomeService | None = None,
        releases: ReleasesService | None = None,
    ) -> None:
        """Put the given services in their areas' places (tests: a service built with other limits, a fake)."""
        with self._lock:
            for slot, svc in ((self._templates, templates), (self._builds, builds), (self._payments, payments),
                              (self._trends, trends), (self._workflows, workflows), (self._home, home),
                              (self._releases, releases)):
                if svc is not None:
                    slot.value, slot.started = svc, True

    def _build_home(self) -> HomeService:
        from services.home.service import HomeService

        root = _Root(self)

        def checks() -> list[Health]:
            """The same checks as the status bar's (an area not built yet probed, not built), without Home's own."""
            return [h for h in root().checks() if h.name != HomeService.name]

        return HomeService(
            self.ctx, settings=self.settings, templates=self.templates, builds=self.builds, payments=self.payments,
            trends=self.trends, workflows=self.workflows, checks=checks,
        )

    # -- starting ---------------------------------------------------------------------------
    def start(self) -> None:
        """Run the start-up chores of the areas built so far, and of each area when it is built."""
        with self._lock:
            self._started = True
            for slot in reversed(self._slots()):
                if slot.value is not None and not slot.started:
                    slot.started = True
                    _run_chore(slot.start, slot.value)

    def start_schedules(self) -> None:
        """Start the timers (the scheduled trends sync). On the thread that runs the Qt event loop."""
        self.trends.start_schedule()

    def build(self, area: Area) -> None:
        """Build (and, once started, start) ``area`` and the areas it is built with."""
        getattr(self, area.value)

    def build_all(self) -> None:
        """Build (and, once started, start) every area: the GUI does this off its thread at start-up,
        after the areas its first panel needs."""
        for area in reversed(Area):
            self.build(area)

    def import_deferred(self) -> None:
        """Import what the areas' services import on first use rather than with the service (their
        ``LATER_IMPORTS``: Home's start-up reads none of it). The GUI calls this off its thread once the
        first panel is filled, so that no first click imports it on the GUI thread."""
        from services.builds import service as builds
        from services.payments import service as payments
        from services.templates import service as templates
        from services.workflows import service as workflows

        for names in (builds.LATER_IMPORTS, payments.LATER_IMPORTS, templates.LATER_IMPORTS, workflows.LATER_IMPORTS):
            for name in names:
                importlib.import_module(name)

    # -- the core ---------------------------------------------------------------------------
    @property
    def bus(self) -> EventBus:
        return self.ctx.bus

    @property
    def config(self) -> AppConfig:
        return self.ctx.config

    def services(self) -> list[BaseService]:
        """Every service, each area built if it was not yet."""
        self.build_all()
        return [self.events, self.settings, *(getattr(self, a.value) for a in reversed(Area))]

    def built_services(self) -> list[BaseService]:
        """The core's services and the areas built so far (none is built by asking)."""
        areas = [slot.value for slot in reversed(self._slots()) if slot.value is not None]
        return [self.events, self.settings, *areas]

    def _area_health(self) -> list[Health]:
        """Each area's health; an area not built yet is probed without building it (the probe is the
        very function its service answers with), so ``trendforge health`` imports no area's service."""
        from services.builds.health import toolchain_health
        from services.payments.health import providers_health
        from services.releases.health import play_key_health
        from services.templates.health import store_health
        from services.trends.health import enabled_sources, sources_health
        from services.workflows.health import runs_health
        from services.workflows.temporal.config import team_temporal

        settings = self.settings
        probes: dict[Area, Callable[[], Health]] = {
            Area.HOME: lambda: Health(Area.HOME.value, HealthState.OK),
            Area.RELEASES: lambda: play_key_health(self.ctx.secrets),
            Area.TRENDS: lambda: sources_health(self.ctx, enabled_sources(settings.get)),
            Area.PAYMENTS: lambda: providers_health(self.ctx),
            Area.BUILDS: lambda: toolchain_health(0),
            Area.TEMPLATES: lambda: store_health(self.ctx),
            Area.WORKFLOWS: lambda: runs_health(self.ctx, team_temporal(settings.get, os.environ)),
        }
        out: list[Health] = []
        for area, slot in zip(Area, self._slots(), strict=True):
            probe = probes.get(area)
            if slot.value is not None or probe is None:
                out += _checks([getattr(self, area.value)])
                continue
            try:
                out.append(probe())
            except Exception as exc:  # noqa: BLE001 - a broken health check is itself news
                out.append(Health(area.value, HealthState.DOWN, str(exc)))
        by_name = {h.name: h for h in out}
        return [by_name[a.value] for a in reversed(Area)]

    def checks(self) -> list[Health]:
        """Every service's health; an area not built yet is probed, not built."""
        return _checks([self.events, self.settings]) + self._area_health()

    def health(self) -> HealthReport:
        checks = self.checks()
        overall = worst([c.state for c in checks])
        return {
            "status": overall.value,
            "version": app.__version__,
            "data_dir": str(self.config.data_dir),
            "services": [c.to_dict() for c in checks],
        }

    def metrics(self) -> MetricsReport:
        return {
            "events_total": self.events.total(),
            "services": {svc.name: svc.metrics.snapshot() for svc in self.services()},
        }

    def doctor(self) -> list[Check]:
        checks = machine_checks(self.config, self.settings.health())
        checks.extend(self.builds.key_checks())
        return checks

    def release_idle_caches(self) -> None:
        """Hand back what is cached for no one: the services' reads whose time is up, and the store's
        connections' page caches. The GUI has the job runtime call this once the app is idle."""
        for service in self.built_services():
            service.drop_expired()
        release_page_caches(self.ctx.engine)

    # -- closing ----------------------------------------------------------------------------
    def on_close(self, closer: Callable[[], object]) -> None:
        """Run ``closer`` when the services close (last registered, first run; before the areas close)."""
        self._closers.append(closer)

    async def stop(self) -> None:
        """On close, while the loop still runs: the builds this process runs are cancelled and their
        ends recorded (awaited on the runner's signal); :meth:`close` then closes the rest."""
        if self._builds.value is not None:
            await self._builds.value.stop()

    def close(self) -> None:
        closers: list[Callable[[], object]] = list(reversed(self._closers))
        for slot in self._slots():
            if slot.value is not None:
                closers.append(_bind_close(slot.close, slot.value))
        for closer in closers:
            try:
                closer()
            except Exception:
                log.exception("error while closing")
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
        self.ctx.engine.dispose()


def _checks(services: Sequence[BaseService]) -> list[Health]:
    checks: list[Health] = []
    for svc in services:
        try:
            checks.append(svc.health())
        except Exception as exc:  # noqa: BLE001 - a broken health check is itself news
            checks.append(Health(svc.name, HealthState.DOWN, str(exc)))
    return checks


def _no_start(svc: BaseService) -> None:
    return None


def _no_close(svc: BaseService) -> None:
    return None


def _start_templates(svc: TemplatesService) -> None:
    svc.recover_store()  # a replace killed before its commit: the database decides which folder is live


def _start_builds(svc: BuildsService) -> None:
    svc.recover_interrupted()
    svc.watch_leases()  # others' builds whose machine went silent are recovered here once their lease lapses


def _close_builds(svc: BuildsService) -> None:
    svc.shutdown()  # cancels running builds: their tools run in their own sessions


def _close_releases(svc: ReleasesService) -> None:
    svc.close()


def _close_trends(svc: TrendsService) -> None:
    svc.close()


def _start_workflows(svc: WorkflowsService) -> None:
    svc.sync_builtins()
    svc.recover()  # runs left in flight by a dead process become 'interrupted'


def _close_workflows(svc: WorkflowsService) -> None:
    svc.close()  # live runs are recorded as interrupted on exit


def _run_chore(start: Callable[[S], None], svc: S) -> None:
    try:
        start(svc)
    except Exception:  # a start-up chore must not stop the app
        log.exception("start-up of %s failed", svc.name)


def _bind_close(close: Callable[[S], object], svc: S) -> Callable[[], object]:
    return lambda: close(svc)


def build_engine(config: AppConfig) -> Engine:
    return open_store(config)  # one line naming the file and the remedy when the data dir is damaged


@dataclass(frozen=True)
class OpenedStore:
    """The database opened and migrated (possibly on another thread), for :func:`build_services`."""

    engine: Engine


def open_opened_store(config: AppConfig) -> OpenedStore:
    return OpenedStore(build_engine(config))


def build_services(
    config: AppConfig,
    *,
    secrets: SecretStore | None = None,
    clock: Clock = utcnow,
    opened: OpenedStore | None = None,
) -> Services:
    """Open the database and build the core; nothing is started and no area is built yet.

    ``opened``: the database already opened and migrated, e.g. off the GUI thread; the core
    (the bus is a QObject) is built on the calling thread."""
    engine = opened.engine if opened is not None else build_engine(config)
    from services.events.bus import EventBus  # the first of Qt: everything imported after PySide6 costs more

    store = EventStore(engine, actor=config.actor)
    bus = EventBus(engine, store)
    session_factory = make_session_factory(engine, actor=config.actor)
    secret_store: SecretStore = secrets if secrets is not None else KeyringSecretStore()
    install_redaction(engine, secret_store.known_values)  # no secret reaches a row, whoever writes it

    def new_uow() -> UnitOfWork:
        return UnitOfWork(session_factory, bus)

    ctx = ServiceContext(config=config, engine=engine, bus=bus, uow=new_uow, secrets=secret_store, clock=clock)
    services = Services(ctx, EventsService(ctx), SettingsService(ctx))
    if config.log_to_file:
        services._log_handler = install_file_logging(config.log_dir, secret_store.known_values)
    return services


def bootstrap(
    config: AppConfig,
    *,
    secrets: SecretStore | None = None,
    clock: Clock = utcnow,
) -> Services:
    """:func:`build_services`, started (each area recovers what a dead process left when it is built)."""
    services = build_services(config, secrets=secrets, clock=clock)
    services.start()
    return services
