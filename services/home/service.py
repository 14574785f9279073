"""Home: one snapshot of what needs a maker's attention, read from every area's summaries.

Revenue comes from the payments area's daily rollup, not the ledger; builds, trends and runs
are short indexed lists. The GUI calls :meth:`HomeService.overview` off its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.health import Health
from app.home.model import (
    MIN_ID_PREFIX,
    Area,
    BuildItem,
    CurrencyRevenue,
    GuideFacts,
    HealthItem,
    HomeOverview,
    ItemRef,
    PaymentItem,
    RunAttention,
    RunItem,
    SearchHit,
    TrendItem,
    guide,
    revenue_by_currency,
    revenue_windows,
)
from app.payments.money import format_minor
from app.templates.model import DuplicatePolicy, ImportResult
from services.base import BaseService, operation
from services.context import ServiceContext
from services.home import queries
from services.payments.ledger import TxnFilter
from services.resource_dirs import resource_dir

if TYPE_CHECKING:
    from services.builds.service import BuildsService
    from services.payments.service import PaymentsService
    from services.settings.service import SettingsService
    from services.templates.service import TemplatesService
    from services.trends.service import TrendsService
    from services.workflows.service import WorkflowsService

LIST_LIMIT = 5
# which panel shows a service's trouble
HEALTH_AREAS: dict[str, Area] = {
    "templates": Area.TEMPLATES,
    "payments": Area.PAYMENTS,
    "trends": Area.TRENDS,
    "builds": Area.BUILDS,
    "workflows": Area.WORKFLOWS,
    "events": Area.EVENTS,
}


def samples_root() -> Path:
    return resource_dir("resources.samples")


class HomeService(BaseService):
    name = "home"

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        settings: SettingsService,
        templates: TemplatesService,
        builds: BuildsService,
        payments: PaymentsService,
        trends: TrendsService,
        workflows: WorkflowsService,
        checks: Callable[[], list[Health]],
    ) -> None:
        super().__init__(ctx, cache_ttl=0)
        self.settings = settings
        self.templates = templates
        self.builds = builds
        self.payments = payments
        self.trends = trends
        self.workflows = workflows
        self._checks = checks

    @operation
    def overview(self) -> HomeOverview:
        return HomeOverview(
            revenue=self._revenue(),
            builds=[BuildItem(b.id, b.template_id, b.platform.value, b.version_name, b.state.value, b.error)
                    for b in self.builds.list_builds(limit=LIST_LIMIT)],
            trends=[TrendItem(t["id"], t["title"], float(t["score"] or 0.0))
                    for t in self.trends.list_trends(emerging=True, limit=LIST_LIMIT)],
            runs=self._runs(),
            failed_payments=[PaymentItem(t.id, t.provider.value, t.amount, t.currency, t.status.value, t.template_id,
                                         t.failure_message or t.failure_code)
                             for t in self.payments.failed(limit=LIST_LIMIT)],
            health=self._health(),
            guide=guide(self._facts()),
        )

    def _revenue(self) -> list[CurrencyRevenue]:
        windows = revenue_windows(self.ctx.clock().date())
        rows = self.payments.summary("day", since=windows.since.isoformat(), until=windows.until.isoformat())
        return revenue_by_currency([(r.key, r.currency, r.net) for r in rows], windows)

    def _runs(self) -> list[RunItem]:
        with self.ctx.new_uow() as uow:
            waiting = queries.runs_waiting_for_approval(uow.session, LIST_LIMIT)
            interrupted = queries.interrupted_runs(uow.session, LIST_LIMIT)
        engine = self.workflows.engine
        return [RunItem(i, w, RunAttention.APPROVAL, s, engine.is_live(i)) for i, w, s in waiting] + [
            RunItem(i, w, RunAttention.INTERRUPTED, s, engine.is_live(i)) for i, w, s in interrupted]

    def _health(self) -> list[HealthItem]:
        out = [HealthItem(h.name, h.ok, h.detail or h.state.value, HEALTH_AREAS.get(h.name)) for h in self._checks()]
        for src in self.trends.source_health():
            if src["enabled"] and not src["ok"]:
                reason = f"{src['failures']} failed syncs in a row: {src['last_error'] or 'no reason given'}"
                out.append(HealthItem(f"source {src['name']}", False, reason, Area.TRENDS))
        return out

    def _facts(self) -> GuideFacts:
        keyring = self.settings.health()
        keys = self.builds.list_keys()
        with self.ctx.new_uow() as uow:
            succeeded = queries.succeeded_builds(uow.session)
            released = queries.releases(uow.session)
        try:
            credentials = len(self.settings.list_credentials())
        except Exception:  # noqa: BLE001 - an unreachable keyring is the first step's news, not a crash
            credentials = 0
        return GuideFacts(
            keyring_ok=keyring.ok,
            keyring_detail=keyring.detail,
            templates=self.templates.count(),
            keys=len(keys),
            keys_backed_up=len({k.alias for k in keys} & self.builds.backed_up_keys()),
            credentials=credentials,
            builds_succeeded=succeeded,
            releases=released,
        )

    @operation
    def find(self, text: str, limit: int = 5) -> list[SearchHit]:
        """Templates, trends, builds, runs and payments by name or id prefix (the quick switcher)."""
        text = text.strip()
        if not text:
            return []
        hits = [SearchHit(ItemRef(Area.TEMPLATES, t.id), f"Template  {t.title} ({t.id})")
                for t in self.templates.search(text, limit=limit)]
        hits += [SearchHit(ItemRef(Area.TRENDS, t["id"]), f"Trend  {t['title']}")
                 for t in self.trends.list_trends(search=text, limit=limit, archived=None)]
        with self.ctx.new_uow() as uow:
            builds = queries.builds_matching(uow.session, text, limit)
            runs = queries.runs_matching(uow.session, text, limit)
        hits += [SearchHit(ItemRef(Area.BUILDS, i), f"Build  {i[:8]} {t} {v} — {s}") for i, t, v, s in builds]
        hits += [SearchHit(ItemRef(Area.WORKFLOWS, i), f"Run  {i[:8]} {w} — {s}") for i, w, s in runs]
        if len(text) >= MIN_ID_PREFIX:
            hits += [SearchHit(ItemRef(Area.PAYMENTS, t.id),
                               f"Payment  {t.id[:8]} {format_minor(t.amount, t.currency)} via {t.provider.value} — {t.status.value}")
                     for t in self.payments.list_transactions(TxnFilter(search=text, limit=limit))]
        return hits

    def interrupted_runs(self) -> list[tuple[str, str, str]]:
        """(run id, workflow, step) of the runs found interrupted, newest first."""
        with self.ctx.new_uow() as uow:
            return queries.interrupted_runs(uow.session, LIST_LIMIT)

    @operation
    def import_samples(self) -> list[ImportResult]:
        """The bundled sample templates into the catalogue (ones already there are left as they are)."""
        root = samples_root()
        paths = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))
        fresh = [p for p in paths if not self.templates.exists(p.name)]
        return self.templates.import_paths(fresh, on_duplicate=DuplicatePolicy.ERROR)
