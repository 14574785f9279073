"""TrendsService: sync sources, keep history, score, relate, archive, import CSV, match templates.

Network I/O is async on the caller's event loop (the qasync loop in the GUI, a command's loop in
the CLI) with one long-lived ``httpx.AsyncClient`` per loop, owned here and closed with the
manager. Database work of a sync runs in a worker thread (``asyncio.to_thread``) so the GUI
loop never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Text, delete, func, or_, select, type_coerce
from sqlalchemy.orm import Session

import app.trends.events  # noqa: F401 - registers the event types
from app.credentials import FORMATS, credential_problem
from app.errors import NotFoundError, ProviderError, TrendForgeError, UserError
from app.events import Event
from app.failures import FailureRun, Standing
from app.health import Health
from app.jsonvalue import JsonObject, JsonValue
from app.remedies import ImportTrends, ListTrends, Remedy, SyncTrends
from app.timeutil import parse_iso, to_iso
from app.trends.correlate import related, source_leads
from app.trends.events import (
    SourceFailed,
    TrendArchived,
    TrendDiscovered,
    TrendEmerging,
    TrendsSynced,
    TrendUnarchived,
    TrendUpdated,
)
from app.trends.matching import TemplateInfo, TemplateMatchDict, match_templates
from app.trends.model import (
    CREDENTIALED,
    DEFAULT_INTERVAL_MINUTES,
    DEFAULT_SUBREDDITS,
    FETCHABLE,
    HISTORY_POINTS,
    Point,
    SourceItem,
    SourceName,
    TrendTag,
    parse_source,
    parse_tag,
)
from app.trends.normalize import clean_title, normalize_title
from app.trends.related_terms import related_terms
from app.trends.series import analyze, combined_series
from app.untrusted import csv_rows
from services.base import BaseService, operation
from services.context import ServiceContext
from services.db.base import make_session_factory
from services.db.ids import resolve_id
from services.db.uow import UnitOfWork
from services.events.bus import EventBus
from services.events.store import EventStore
from services.ports import TemplateCatalogue
from services.runtime import run_blocking
from services.settings.service import SettingsService
from services.trends.health import SETTING_ENABLED, SOURCE_REST, enabled_sources, source_run, sources_health, store_run
from services.trends.models import (
    SourceHealthRecord,
    TrendAliasRecord,
    TrendRecord,
    TrendSnapshotRecord,
    TrendTermRecord,
)
from services.trends.rows import (
    AliasRow,
    CsvImportResult,
    PickedTrend,
    RelatedTrend,
    SnapshotRow,
    SourceHealthRow,
    SourceHealthState,
    TrendDetail,
    TrendRow,
    TrendSettings,
)
from services.trends.schedule import SyncScheduler
from services.trends.sources import SOURCES, FetchResult, SourceConfig, TrendSource

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
V = TypeVar("V")

SETTING_SUBREDDITS = "trends.subreddits"
SETTING_INTERVAL = "trends.interval_minutes"
SETTING_GEO = "trends.geo"
SETTING_WOEID = "trends.woeid"
RELATED_CANDIDATES = 150  # trends scored per related() call: those sharing the most terms (~1 ms each)
MAX_RETRY_WAIT = 5.0  # a Retry-After longer than this ends the sync for that source and becomes backoff
MAX_VOLUME = 1e15  # a CSV row beyond these is a mistake (or an attack); SQLite could not store the rank
MAX_RANK = 1_000_000


@dataclass
class SourceOutcome:
    source: str
    ok: bool
    items: int = 0
    error: str = ""
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)
    backoff_until: datetime | None = None
    remedy: Remedy | None = None  # what to do about the error (a credential to store, ...)

    def to_dict(self) -> JsonObject:
        return {
            "source": self.source,
            "ok": self.ok,
            "items": self.items,
            "error": self.error,
            "skipped": self.skipped,
            "warnings": list[JsonValue](self.warnings),
            "backoff_until": to_iso(self.backoff_until) if self.backoff_until else None,
        }


@dataclass
class SyncReport:
    started_at: datetime
    outcomes: list[SourceOutcome]
    discovered: int = 0
    updated: int = 0
    emerging: int = 0
    items: int = 0

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def to_dict(self) -> JsonObject:
        return {
            "started_at": to_iso(self.started_at),
            "ok": self.ok,
            "items": self.items,
            "discovered": self.discovered,
            "updated": self.updated,
            "emerging": self.emerging,
            "sources": list[JsonValue](o.to_dict() for o in self.outcomes),
        }


def trend_dict(r: TrendRecord, series: Sequence[float] | None = None) -> TrendRow:
    out: TrendRow = {
        "id": r.id,
        "title": r.title,
        "key": r.key,
        "category": r.category,
        "url": r.url,
        "sources": list(r.sources or []),
        "first_seen": to_iso(r.first_seen),
        "last_seen": to_iso(r.last_seen),
        "volume": r.volume,
        "score": r.score,
        "tag": r.tag,
        "emerging": r.emerging,
        "momentum": dict(r.momentum or {}),
        "archived": r.archived,
        "archived_at": to_iso(r.archived_at) if r.archived_at else None,
    }
    if series is not None:
        out["series"] = list(series)
    return out


class TrendsService(BaseService):
    name = "trends"

    def __init__(
        self,
        ctx: ServiceContext,
        settings: SettingsService,
        *,
        templates: TemplateCatalogue | None = None,
        sources: dict[SourceName, TrendSource] | None = None,
        timeout: float = 15.0,
    ) -> None:
        super().__init__(ctx)
        self.settings = settings
        self._catalogue = templates
        self.sources: dict[SourceName, TrendSource] = dict(sources or SOURCES)
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._sync_lock: asyncio.Lock | None = None
        self._session_factory = make_session_factory(ctx.engine)
        self.syncing = False
        self.scheduler: SyncScheduler | None = None

    # -- HTTP client ---------------------------------------------------------------------
    def client(self) -> httpx.AsyncClient:
        """The long-lived client of the running loop (a new loop, e.g. a new ``asyncio.run``, gets its own)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop or self._client.is_closed:
            import httpx  # with the first sync: building the trends area (Home, a CLI list) loads no HTTP stack

            self._drop_client()
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._timeout, connect=min(5.0, self._timeout)),
                follow_redirects=True,
                limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
            )
            self._client_loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client, self._client_loop = self._client, None, None
            await client.aclose()

    def _drop_client(self) -> None:
        client, loop = self._client, self._client_loop
        self._client, self._client_loop = None, None
        if client is None or client.is_closed:
            return
        if loop is not None and not loop.is_closed():
            if loop.is_running():
                loop.create_task(client.aclose())
                return
            with contextlib.suppress(Exception):
                loop.run_until_complete(client.aclose())
                return
        # its loop is gone: the sockets die with it; nothing left to await

    def close(self) -> None:
        """Called by the manager on close."""
        if self.scheduler is not None:
            self.scheduler.stop()
        self._drop_client()

    def start_schedule(self) -> SyncScheduler:
        """Start the scheduled sync at the configured interval (needs a Qt application)."""
        if self.scheduler is None:
            self.scheduler = SyncScheduler(self)
        self.scheduler.start(self.interval_minutes())
        return self.scheduler

    # -- settings -----------------------------------------------------------------------
    def enabled_sources(self) -> list[SourceName]:
        return enabled_sources(self.settings.get)

    def subreddits(self) -> list[str]:
        raw = self.settings.get(SETTING_SUBREDDITS)
        return [str(s) for s in raw] if isinstance(raw, list) else list(DEFAULT_SUBREDDITS)

    def interval_minutes(self) -> int:
        raw = self.settings.get(SETTING_INTERVAL)
        return int(raw) if isinstance(raw, (int, float)) and raw >= 1 else DEFAULT_INTERVAL_MINUTES

    @operation
    def get_settings(self) -> TrendSettings:
        return {
            "enabled_sources": [s.value for s in self.enabled_sources()],
            "subreddits": self.subreddits(),
            "interval_minutes": self.interval_minutes(),
            "geo": str(self.settings.get(SETTING_GEO) or "US"),
            "woeid": int(self.settings.get(SETTING_WOEID) or 1),
        }

    @operation
    def update_settings(
        self,
        *,
        enabled_sources: Iterable[str] | None = None,
        subreddits: Iterable[str] | None = None,
        interval_minutes: int | None = None,
        geo: str | None = None,
        woeid: int | None = None,
    ) -> TrendSettings:
        values: dict[str, JsonValue] = {}
        if enabled_sources is not None:
            chosen = []
            for s in enabled_sources:
                src = parse_source(s)
                self.require(src in FETCHABLE, f"{src} cannot be synced; it is import-only")
                if src not in chosen:
                    chosen.append(src)
            values[SETTING_ENABLED] = list[JsonValue](s.value for s in chosen)
        if subreddits is not None:
            subs: list[str] = []
            for s in subreddits:
                name = s.strip().removeprefix("/").removeprefix("r/")
                if not name:
                    continue
                self.require(
                    name.replace("_", "").isalnum() and 2 <= len(name) <= 21,
                    f"{s!r} is not a subreddit name (letters, digits and _, 2-21 characters)",
                )
                if name.lower() not in {x.lower() for x in subs}:
                    subs.append(name)
            values[SETTING_SUBREDDITS] = list[JsonValue](subs)
        if interval_minutes is not None:
            self.require(5 <= interval_minutes <= 24 * 60, "the sync interval must be between 5 and 1440 minutes")
            values[SETTING_INTERVAL] = int(interval_minutes)
        if geo is not None:
            self.require(geo.isalpha() and len(geo) == 2, "geo must be a two-letter country code such as US")
            values[SETTING_GEO] = geo.upper()
        if woeid is not None:
            self.require(woeid > 0, "WOEID must be a positive number (1 = worldwide)")
            values[SETTING_WOEID] = int(woeid)
        if values:
            self.settings.update(values)
        self.invalidate()
        if interval_minutes is not None and self.scheduler is not None and self.scheduler.active:
            self.scheduler.interval_changed.emit(float(interval_minutes))  # may be called off the GUI thread
        return self.get_settings()

    def _source_config(self, source: SourceName) -> SourceConfig:
        cfg = SourceConfig(base_url=self.settings.base_url(source.setting_name))
        s = self.get_settings()
        cfg.subreddits = tuple(s["subreddits"])
        cfg.geo = s["geo"]
        cfg.country = s["geo"]
        cfg.woeid = s["woeid"]
        if source in CREDENTIALED:
            cfg.token = self.settings.credential(source.value)
        return cfg

    # -- connection test ---------------------------------------------------------------------
    def test_connection(self, source: str, token: str | None = None) -> str:
        """Blocking form of ``test_connection_async`` (for a worker thread): on the application's loop."""
        return run_blocking(self.test_connection_async(source, token))

    @operation
    async def test_connection_async(self, source: str, token: str | None = None) -> str:
        """Fetch ``source`` (X or TikTok) once with ``token`` (typed, not yet stored) or the stored credential and
        say what came back; nothing is stored. A refusal or an unreachable source raises ProviderError."""
        src = parse_source(source)
        self.require(src in CREDENTIALED, f"{src} needs no credential; sync it to see whether it answers",
                     SyncTrends())
        if token is not None:
            problem = credential_problem(src.value, token)
            self.require(problem is None, f"{src.value}: {problem}")
        cfg = await asyncio.to_thread(self._source_config, src)
        if token is not None:
            cfg.token = token.strip()
        import httpx

        async with httpx.AsyncClient(timeout=httpx.Timeout(self._timeout, connect=min(5.0, self._timeout))) as client:
            result = await self.sources[src].fetch(client, cfg)
        first = result.items[0].title
        count = len(result.items)
        return f"{FORMATS[src.value].provider} answered with {count} trend{'s' if count != 1 else ''} (first: {first})"

    # -- sync ------------------------------------------------------------------------------
    @operation
    async def sync(self, source: str | SourceName | None = None, *, scheduled: bool = False) -> SyncReport:
        """Fetch every enabled source (or one) and store a snapshot per trend.

        A scheduled sync skips sources still in backoff; an on-demand sync tries them anyway.
        """
        if source is not None:
            src = source if isinstance(source, SourceName) else parse_source(source)
            self.require(src in FETCHABLE, f"{src} is import-only: import its export", ImportTrends(str(src)))
            # a disabled source is not tried (nor backed off): opt-in ones (x, tiktok) stay off until enabled
            self.require(src in self.enabled_sources(),
                         f"source {src} is disabled, so it was not synced; enable it in the trends settings first")
            targets = [src]
        else:
            targets = self.enabled_sources()
            self.require(targets, "no trend source is enabled; enable one in the trends settings")
        if self._sync_lock is None or self._client_loop is not asyncio.get_running_loop():
            self._sync_lock = asyncio.Lock()
        async with self._sync_lock:
            self.syncing = True
            try:
                return await self._sync(targets, scheduled)
            finally:
                self.syncing = False

    async def _sync(self, targets: list[SourceName], scheduled: bool) -> SyncReport:
        now = self.ctx.clock()
        health = {h["row"]["name"]: h for h in await asyncio.to_thread(self._health_rows)}
        to_fetch: list[SourceName] = []
        outcomes: dict[SourceName, SourceOutcome] = {}
        for src in targets:
            run: FailureRun = health[src.value]["run"] if src.value in health else FailureRun()
            until = run.resting_until
            if scheduled and until is not None and run.is_resting(now):
                outcomes[src] = SourceOutcome(src.value, ok=True, skipped=True, backoff_until=until, warnings=[f"in backoff until {to_iso(until)}"])
            else:
                to_fetch.append(src)
        client = self.client()
        results = await asyncio.gather(*(self._fetch(src, client) for src in to_fetch), return_exceptions=True)
        fetched: dict[SourceName, FetchResult] = {}
        errors: dict[SourceName, BaseException] = {}
        for src, res in zip(to_fetch, results, strict=True):
            if isinstance(res, FetchResult):
                fetched[src] = res
            else:
                errors[src] = res
                if not isinstance(res, Exception):
                    raise res
        report, events = await asyncio.to_thread(self._store_sync, now, fetched, errors, outcomes)
        # committed in the worker; delivered here, on the caller's (the GUI loop's) thread
        self.ctx.bus.dispatch(events)
        report.outcomes = [outcomes[s] for s in targets]
        return report

    async def _fetch(self, src: SourceName, client: httpx.AsyncClient) -> FetchResult:
        adapter = self.sources[src]
        # settings and the keyring (X, TikTok) are read off the loop; a failure there fails this source only
        cfg = await asyncio.to_thread(self._source_config, src)

        async def once() -> FetchResult:
            try:
                return await adapter.fetch(client, cfg)
            except ProviderError as exc:
                if exc.transient and exc.retry_after is not None and exc.retry_after > MAX_RETRY_WAIT:
                    # waiting that long inside a sync helps nobody: stop and back off instead
                    raise ProviderError(str(exc), provider=exc.provider, transient=False, retry_after=exc.retry_after, status_code=exc.status_code) from exc
                raise

        return await self.with_retry_async(once, attempts=3)

    def _store_sync(
        self,
        now: datetime,
        fetched: dict[SourceName, FetchResult],
        errors: dict[SourceName, BaseException],
        outcomes: dict[SourceName, SourceOutcome],
    ) -> tuple[SyncReport, list[Event]]:
        items = [item for res in fetched.values() for item in res.items]
        report = SyncReport(started_at=now, outcomes=[])
        deferred = _DeferredDispatch(self.ctx.bus)
        with UnitOfWork(self._session_factory, cast(EventBus, deferred)) as uow:
            s = uow.session
            for src, res in fetched.items():
                rec = self._health_record(s, src)
                rec.last_attempt = now
                rec.last_success = now
                store_run(rec, source_run(rec).after_success())
                rec.last_items = len(res.items)
                rec.notes = {**res.notes, "warnings": res.warnings[:20]}
                outcomes[src] = SourceOutcome(src.value, ok=True, items=len(res.items), warnings=list(res.warnings))
            for src, exc in errors.items():
                rec = self._health_record(s, src)
                rec.last_attempt = now
                retry_after = exc.retry_after if isinstance(exc, ProviderError) else None
                message = str(exc) if isinstance(exc, (ProviderError, UserError)) else f"{src}: {type(exc).__name__}: {exc}"
                run = source_run(rec).after_failure(SOURCE_REST, now, message, retry_after)
                store_run(rec, run)
                rec.last_error_at = now
                backoff = run.rest_left(now)
                outcomes[src] = SourceOutcome(src.value, ok=False, error=message, backoff_until=rec.backoff_until,
                                              remedy=exc.remedy if isinstance(exc, TrendForgeError) else None)
                uow.record(SourceFailed(source=self.name, source_name=src.value, error=message, backoff_seconds=backoff, consecutive_failures=rec.failures))
                if not isinstance(exc, ProviderError):
                    log.error("trend source %s failed unexpectedly", src, exc_info=exc)
            self._ingest(s, uow.record, items, now, report)
            uow.record(
                TrendsSynced(
                    source=self.name,
                    sources=tuple(sorted(o.source for o in outcomes.values() if o.ok and not o.skipped)),
                    failed=tuple(sorted(o.source for o in outcomes.values() if not o.ok)),
                    items=len(items),
                    discovered=report.discovered,
                    updated=report.updated,
                    emerging=report.emerging,
                )
            )
            uow.commit()
        self.invalidate()
        return report, deferred.events

    @staticmethod
    def _health_record(s: Session, src: SourceName) -> SourceHealthRecord:
        rec = s.get(SourceHealthRecord, src.value)
        if rec is None:
            rec = SourceHealthRecord(name=src.value, failures=0, last_error="", last_items=0, notes={})
            s.add(rec)
        return rec

    def _ingest(
        self,
        s: Session,
        record: Callable[..., None],
        items: Sequence[SourceItem],
        now: datetime,
        report: SyncReport,
        *,
        times: Sequence[datetime] | None = None,
    ) -> list[str]:
        """Merge items into trends (by normalized key), add snapshots, recompute metrics."""
        # collapse duplicates within one source at one time: keep the highest volume
        best: dict[tuple[str, str, datetime], tuple[SourceItem, datetime]] = {}
        for i, item in enumerate(items):
            key = normalize_title(item.title)
            if not key:
                continue
            when = times[i] if times is not None else now
            k = (key, item.source.value, when)
            if k not in best or item.volume > best[k][0].volume:
                best[k] = (item, when)
        keys = sorted({k[0] for k in best})
        existing: dict[str, TrendRecord] = {}
        for chunk in _chunks(keys, 500):
            for r in s.scalars(select(TrendRecord).where(TrendRecord.key.in_(chunk))):
                existing[r.key] = r
        aliases: set[tuple[str, str, str]] = set()
        if existing:
            ids = [r.id for r in existing.values()]
            for chunk in _chunks(ids, 500):
                for a in s.scalars(select(TrendAliasRecord).where(TrendAliasRecord.trend_id.in_(chunk))):
                    aliases.add((a.trend_id, a.alias, a.source))
        touched: dict[str, TrendRecord] = {}
        new_ids: set[str] = set()
        snapshots: list[dict[str, Any]] = []
        new_aliases: list[dict[str, Any]] = []
        for (key, src, _when), (item, when) in sorted(best.items(), key=lambda kv: (kv[1][1], kv[0])):
            rec = existing.get(key)
            title = clean_title(item.title)
            if rec is None:
                rec = TrendRecord(
                    id=uuid.uuid4().hex,
                    key=key,
                    title=title,
                    category=item.category[:120],
                    url=item.url,
                    sources=[src],
                    first_seen=when,
                    last_seen=when,
                    volume=item.volume,
                    score=0.0,
                    tag=TrendTag.NEW.value,
                    emerging=False,
                    momentum={},
                    archived=False,
                )
                s.add(rec)
                existing[key] = rec
                new_ids.add(rec.id)
            else:
                if src not in (rec.sources or []):
                    rec.sources = sorted({*(rec.sources or []), src})
                if when >= rec.last_seen:
                    rec.last_seen = when
                if when < rec.first_seen:
                    rec.first_seen = when
                if not rec.url and item.url:
                    rec.url = item.url
                if not rec.category and item.category:
                    rec.category = item.category[:120]
            if (rec.id, title, src) not in aliases:
                aliases.add((rec.id, title, src))
                new_aliases.append({"trend_id": rec.id, "alias": title, "source": src, "first_seen": when})
            snapshots.append({"trend_id": rec.id, "source": src, "taken_at": when, "volume": float(item.volume), "rank": int(item.rank)})
            touched[rec.id] = rec
        s.flush()  # new trends first: aliases and snapshots reference them
        if new_aliases:
            s.execute(TrendAliasRecord.__table__.insert(), new_aliases)  # type: ignore[attr-defined]
        if snapshots:
            s.execute(TrendSnapshotRecord.__table__.insert(), snapshots)  # type: ignore[attr-defined]
        points = self._points(s, list(touched))
        terms: list[dict[str, str]] = []
        for tid, rec in touched.items():
            series = combined_series(points.get(tid, []))
            m, tag, score = analyze(series)
            rec.recent = series[-HISTORY_POINTS:]
            terms.extend({"term": t, "trend_id": tid} for t in dict.fromkeys(related_terms(rec.title, rec.recent,
                                                                                           HISTORY_POINTS)))
            was_emerging, old_tag = rec.emerging, rec.tag
            rec.momentum = m.to_dict()
            rec.tag = tag.value
            rec.score = score
            rec.emerging = m.emerging
            rec.volume = m.latest
            if tid in new_ids:
                report.discovered += 1
                record(TrendDiscovered(source=self.name, trend_id=tid, title=rec.title, sources=tuple(rec.sources or [])))
            elif tag.value != old_tag:
                report.updated += 1
                record(TrendUpdated(source=self.name, trend_id=tid, title=rec.title, tag=tag.value, score=score))
            if m.emerging and not was_emerging and not rec.archived:
                report.emerging += 1
                record(TrendEmerging(source=self.name, trend_id=tid, title=rec.title, tag=tag.value, score=score))
        # the candidate index of related(): this trend's terms, replaced with its new series
        for chunk in _chunks(list(touched), 500):
            s.execute(delete(TrendTermRecord).where(TrendTermRecord.trend_id.in_(chunk)))
        if terms:
            s.execute(TrendTermRecord.__table__.insert(), terms)  # type: ignore[attr-defined]
        report.items += len(snapshots)
        return list(touched)

    @staticmethod
    def _points(s: Session, ids: Sequence[str], limit_per_trend: int = HISTORY_POINTS * 4) -> dict[str, list[Point]]:
        out: dict[str, list[Point]] = {}
        for chunk in _chunks(list(ids), 500):
            q = (
                select(TrendSnapshotRecord.trend_id, TrendSnapshotRecord.taken_at, TrendSnapshotRecord.source, TrendSnapshotRecord.volume, TrendSnapshotRecord.rank)
                .where(TrendSnapshotRecord.trend_id.in_(chunk))
                .order_by(TrendSnapshotRecord.trend_id, TrendSnapshotRecord.taken_at)
            )
            for tid, taken_at, source, volume, rank in s.execute(q):
                out.setdefault(tid, []).append(Point(taken_at, source, volume, rank))
        for tid, pts in out.items():
            if len(pts) > limit_per_trend:
                out[tid] = pts[-limit_per_trend:]
        return out

    # -- CSV import --------------------------------------------------------------------------
    @operation
    def import_csv(self, source: str, path: str | Path) -> CsvImportResult:
        """Import trends from a CSV with a ``title`` column and optional ``volume``, ``rank``,
        ``taken_at`` (ISO time; rows with times become history), ``url`` and ``category``.

        The whole file is checked first; one bad row rejects the file with its line number.
        """
        src = parse_source(source)
        p = Path(path).expanduser()
        self.require(p.is_file(), f"no such file: {p}")
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(f"{p} is not UTF-8 text ({exc.reason}); save the CSV as UTF-8") from exc
        header, rows = csv_rows(text, p.name)
        fields = [f.strip().lower() for f in header]
        aliases = {"name": "title", "trend": "title", "hashtag_name": "title", "trend_name": "title", "topic": "title", "query": "title",
                   "traffic": "volume", "approx_traffic": "volume", "tweet_count": "volume", "video_views": "volume", "score": "volume",
                   "time": "taken_at", "date": "taken_at", "timestamp": "taken_at"}
        mapped = [aliases.get(f, f) for f in fields]
        self.require("title" in mapped, f"{p.name}: no 'title' column (found: {', '.join(fields) or 'nothing'}); the first row must name the columns")
        now = self.ctx.clock()
        items: list[SourceItem] = []
        times: list[datetime] = []
        try:
            for line_no, row in enumerate(rows, start=2):
                values = {mapped[i]: (v or "").strip() for i, v in enumerate(row.get(f) for f in header) if i < len(mapped)}
                title = values.get("title", "")
                if not title:
                    raise UserError(f"{p.name} line {line_no}: empty title")
                if not normalize_title(title):
                    raise UserError(f"{p.name} line {line_no}: title {title!r} has no letters or digits")
                try:
                    volume = float(values.get("volume", "").replace(",", "").rstrip("+") or 0)
                    rank = int(values.get("rank") or 0) or len(items) + 1
                except ValueError:
                    raise UserError(f"{p.name} line {line_no}: volume and rank must be numbers") from None
                self.require(volume >= 0, f"{p.name} line {line_no}: volume must not be negative")
                self.require(volume <= MAX_VOLUME and 0 <= rank <= MAX_RANK,
                             f"{p.name} line {line_no}: volume must be at most {MAX_VOLUME:.0e} and rank between 0 and {MAX_RANK}")
                try:
                    when = parse_iso(values["taken_at"]) if values.get("taken_at") else now
                except UserError as exc:
                    raise UserError(f"{p.name} line {line_no}: taken_at: {exc}") from None
                self.require(when <= now + timedelta(days=1), f"{p.name} line {line_no}: taken_at is in the future")
                items.append(SourceItem(src, title, volume, rank, url=values.get("url", ""), category=values.get("category", "")))
                times.append(when)
        except UserError as exc:
            raise UserError(f"{exc}; nothing was imported: fix that line and import the file again") from None
        self.require(items, f"{p.name} has no data rows")
        report = SyncReport(started_at=now, outcomes=[SourceOutcome(src.value, ok=True, items=len(items))])
        with self.ctx.new_uow() as uow:
            self._ingest(uow.session, uow.record, items, now, report, times=times)
            uow.record(TrendsSynced(source=self.name, sources=(f"csv:{src.value}",), items=len(items), discovered=report.discovered, updated=report.updated, emerging=report.emerging))
            uow.commit()
        self.invalidate()
        return CsvImportResult(file=str(p), source=src.value, rows=len(items), discovered=report.discovered,
                               updated=report.updated, emerging=report.emerging, snapshots=report.items)

    # -- reads ------------------------------------------------------------------------------
    @operation
    def list_trends(
        self,
        *,
        emerging: bool = False,
        source: str | None = None,
        tag: str | None = None,
        archived: bool | None = False,
        search: str | None = None,
        limit: int | None = 200,
        with_series: bool = False,
    ) -> list[TrendRow]:
        """Trends by score, best first. ``archived=None`` lists both."""
        src = parse_source(source).value if source else None
        if tag:
            tag = parse_tag(tag).value

        def load() -> list[TrendRow]:
            with self.ctx.new_uow() as uow:
                q = select(TrendRecord)
                if archived is not None:
                    q = q.where(TrendRecord.archived.is_(archived))
                if emerging:
                    q = q.where(TrendRecord.emerging.is_(True))
                if tag:
                    q = q.where(TrendRecord.tag == tag)
                if src:
                    q = q.where(type_coerce(TrendRecord.sources, Text).like(f'%"{src}"%'))
                if search:
                    like = f"%{_escape_like(search.strip())}%"
                    key_like = f"%{normalize_title(search)}%"
                    alias_ids = select(TrendAliasRecord.trend_id).where(TrendAliasRecord.alias.like(like, escape="\\"))
                    q = q.where(
                        or_(TrendRecord.title.like(like, escape="\\"), TrendRecord.key.like(key_like), TrendRecord.id.in_(alias_ids))
                    )
                q = q.order_by(TrendRecord.score.desc(), TrendRecord.last_seen.desc(), TrendRecord.id)
                if limit:
                    q = q.limit(limit)
                rows = list(uow.session.scalars(q))
                series: dict[str, list[float]] = {}
                if with_series and rows:
                    pts = self._points(uow.session, [r.id for r in rows], HISTORY_POINTS * 2)
                    series = {tid: combined_series(p)[-HISTORY_POINTS:] for tid, p in pts.items()}
                return [trend_dict(r, series.get(r.id, []) if with_series else None) for r in rows]

        key = ("list", emerging, src, tag, archived, search, limit, with_series)
        return [d.copy() for d in self.cached(key, load)]

    def _find(self, s: Session, trend_id: str) -> TrendRecord:
        tid = trend_id.strip().lower()
        self.require(len(tid) >= 4, "give at least 4 characters of the trend id")
        if not all(c in "0123456789abcdef" for c in tid):
            raise NotFoundError(f"no trend with id {trend_id!r}; ids are hexadecimal", remedy=ListTrends())
        full = resolve_id(s, TrendRecord.id, tid, what="trend", remedy=ListTrends())
        rec = s.get(TrendRecord, full)
        assert rec is not None
        return rec

    @operation
    def show(self, trend_id: str) -> TrendDetail:
        with self.ctx.new_uow() as uow:
            rec = self._find(uow.session, trend_id)
            snaps = list(
                uow.session.scalars(
                    select(TrendSnapshotRecord).where(TrendSnapshotRecord.trend_id == rec.id).order_by(TrendSnapshotRecord.taken_at, TrendSnapshotRecord.source)
                )
            )
            aliases = list(uow.session.scalars(select(TrendAliasRecord).where(TrendAliasRecord.trend_id == rec.id).order_by(TrendAliasRecord.first_seen)))
            pts = [Point(x.taken_at, x.source, x.volume, x.rank) for x in snaps]
            first: dict[str, datetime] = {}
            for x in snaps:
                first.setdefault(x.source, x.taken_at)
            return TrendDetail(
                **trend_dict(rec, combined_series(pts)),
                snapshots=[SnapshotRow(taken_at=to_iso(x.taken_at), source=x.source, volume=x.volume, rank=x.rank)
                           for x in snaps],
                aliases=[AliasRow(alias=a.alias, source=a.source, first_seen=to_iso(a.first_seen)) for a in aliases],
                first_seen_by_source={k: to_iso(v) for k, v in first.items()},
                source_leads=[lead.to_dict() for lead in source_leads(pts)],
            )

    @operation
    def related(self, trend_id: str, n: int = 10) -> list[RelatedTrend]:
        """Related trends by text similarity and co-movement, with the lag showing who leads.

        Candidates come from the term index (shared title words, shared bands of move directions:
        app/trends/related_terms.py); only they are scored, from their stored recent series, so the
        cost and memory follow the candidates, not the number of trends.
        """
        with self.ctx.new_uow() as uow:
            rec = self._find(uow.session, trend_id)
            tid, title, series = rec.id, rec.title, list(rec.recent or [])
            own = select(TrendTermRecord.term).where(TrendTermRecord.trend_id == tid)
            t = TrendTermRecord
            shared = (select(t.trend_id).where(t.term.in_(own), t.trend_id != tid)
                      .group_by(t.trend_id).order_by(func.count().desc(), t.trend_id).limit(RELATED_CANDIDATES)
                      .subquery())
            rows = uow.session.execute(
                select(TrendRecord.id, TrendRecord.title, TrendRecord.recent)
                .join(shared, shared.c.trend_id == TrendRecord.id).where(TrendRecord.archived.is_(False))
            ).all()
        titles = {r[0]: r[1] for r in rows}
        found = related(tid, title, series, ((r[0], r[1], list(r[2] or [])) for r in rows), n=n)
        return [
            RelatedTrend(id=r.key, title=titles[r.key], score=r.score, text=r.text, comovement=r.comovement, lag=r.lag,
                         leader="this" if r.lag > 0 else "other" if r.lag < 0 else "together")
            for r in found
        ]

    @operation
    def matching_templates(self, trend_id: str, n: int = 5) -> list[TemplateMatchDict]:
        with self.ctx.new_uow() as uow:
            rec = self._find(uow.session, trend_id)
            title, category = rec.title, rec.category
        return [m.to_dict() for m in match_templates(title, category, self._templates(), n=n)]

    def templates_available(self) -> bool:
        return self._catalogue is not None

    def _templates(self) -> list[TemplateInfo]:
        """The templates area's templates, as matching sees them."""
        if self._catalogue is None:
            return []
        return [
            TemplateInfo(id=t.id, name=t.title or t.id, category=t.category, tags=tuple(t.tags))
            for t in self._catalogue.find()
        ]

    @operation
    def pick(self, min_score: float = 0.0, trend_id: str | None = None) -> PickedTrend:
        """The trend a trend-to-release run starts from: ``trend_id`` if given, else the best
        emerging (then best overall) non-archived trend scoring at least ``min_score``."""
        with self.ctx.new_uow() as uow:
            if trend_id:
                rec = self._find(uow.session, trend_id)
                self.require(not rec.archived, f"trend {rec.title!r} is archived; unarchive it first")
            else:
                q = select(TrendRecord).where(TrendRecord.archived.is_(False), TrendRecord.score >= min_score)
                found = uow.session.scalars(q.order_by(TrendRecord.emerging.desc(), TrendRecord.score.desc()).limit(1)).first()
                if found is None:
                    raise NotFoundError(f"no trend scores {min_score} or more; sync the sources first", remedy=SyncTrends())
                rec = found
            return PickedTrend(trend_id=rec.id, title=rec.title, score=rec.score, tag=rec.tag, category=rec.category)

    # -- archive -----------------------------------------------------------------------------
    @operation
    def archive(self, trend_id: str) -> TrendRow:
        return self._set_archived(trend_id, True)

    @operation
    def unarchive(self, trend_id: str) -> TrendRow:
        return self._set_archived(trend_id, False)

    def _set_archived(self, trend_id: str, archived: bool) -> TrendRow:
        with self.ctx.new_uow() as uow:
            rec = self._find(uow.session, trend_id)
            if rec.archived != archived:
                rec.archived = archived
                rec.archived_at = self.ctx.clock() if archived else None
                cls = TrendArchived if archived else TrendUnarchived
                uow.record(cls(source=self.name, trend_id=rec.id, title=rec.title))
            out = trend_dict(rec)
            uow.commit()
        self.invalidate()
        return out

    # -- health -----------------------------------------------------------------------------
    @operation
    def source_health(self) -> list[SourceHealthRow]:
        """Per fetchable source: enabled, last success/attempt/error, failures, backoff, notes."""
        return [h["row"] for h in self._health_rows()]

    def _health_rows(self) -> list[SourceHealthState]:
        def load() -> list[SourceHealthState]:
            enabled = set(self.enabled_sources())
            with self.ctx.new_uow() as uow:
                recs = {r.name: r for r in uow.session.scalars(select(SourceHealthRecord))}
                out = []
                for src in FETCHABLE:
                    r = recs.get(src.value)
                    run = source_run(r)
                    out.append(SourceHealthState(row=SourceHealthRow(
                        name=src.value,
                        enabled=src in enabled,
                        last_success=to_iso(r.last_success) if r and r.last_success else None,
                        last_attempt=to_iso(r.last_attempt) if r and r.last_attempt else None,
                        last_error=r.last_error if r else "",
                        last_error_at=to_iso(r.last_error_at) if r and r.last_error_at else None,
                        failures=r.failures if r else 0,
                        backoff_until=to_iso(r.backoff_until) if r and r.backoff_until else None,
                        last_items=r.last_items if r else 0,
                        notes=dict(r.notes or {}) if r else {},
                        ok=run.standing(SOURCE_REST) is Standing.OK,
                    ), run=run))
            return out

        return [SourceHealthState(row=h["row"].copy(), run=h["run"]) for h in self.cached(("health",), load)]

    @operation
    def counts(self) -> dict[str, int]:
        with self.ctx.new_uow() as uow:
            total = uow.session.scalar(select(func.count()).select_from(TrendRecord)) or 0
            snaps = uow.session.scalar(select(func.count()).select_from(TrendSnapshotRecord)) or 0
        return {"trends": int(total), "snapshots": int(snaps)}

    def health(self) -> Health:
        return sources_health(self.ctx, self.enabled_sources())


class _DeferredDispatch:
    """Stands in for the bus inside a worker-thread unit of work: events are stored in the same
    transaction as always, but handed back for dispatch on the calling thread (Qt signals emitted
    from a worker thread would be queued to objects that may be gone by then)."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self.events: list[Event] = []

    @property
    def store(self) -> EventStore:
        return self._bus.store

    def dispatch(self, events: Sequence[Event], *, replay: bool = False) -> None:
        self.events.extend(events)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(values: Sequence[V], size: int) -> Iterable[Sequence[V]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]
