"""The Events service: history, counts and replay for the Events panel and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from app.health import Health, HealthState
from services.base import BaseService, operation
from services.context import ServiceContext
from services.events.store import EventQuery, StoredEvent


class EventsService(BaseService):
    name = "events"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx, cache_ttl=30.0)
        # counts and types change with every new event: dropped once per committed batch
        ctx.bus.batch_published.connect(self._on_bus_batch_published)

    def _on_bus_batch_published(self, _events: object) -> None:
        self.invalidate()

    def resolve(self, query: EventQuery) -> EventQuery:
        """``query`` with its correlation id resolved from a unique prefix (the form live events are matched by)."""
        if not query.correlation_id:
            return query
        return replace(query, correlation_id=self.ctx.bus.store.resolve_correlation(query.correlation_id))

    @operation
    def history(self, query: EventQuery) -> list[StoredEvent]:
        self.require(query.limit >= 0, "the event limit must be zero (no limit) or a positive number")
        if query.since and query.until:
            self.require(query.since <= query.until, "the start of the time range is after its end")
        return self.ctx.bus.history(self.resolve(query))

    @operation
    def counts_by_type(self, since: datetime | None = None) -> dict[str, int]:
        return self.cached(("counts", since), lambda: self.ctx.bus.counts_by_type(since))

    @operation
    def types(self) -> list[str]:
        return self.cached("types", self.ctx.bus.store.types)

    @operation
    def replay(self, since: datetime, types: Sequence[str] = ()) -> int:
        return self.ctx.bus.replay(since, types)

    def total(self) -> int:
        return self.ctx.bus.store.count()

    def health(self) -> Health:
        try:
            self.total()
        except Exception as exc:  # noqa: BLE001 - health reports any failure
            return Health(self.name, HealthState.DOWN, f"event log unreadable: {exc}")
        return Health(self.name, HealthState.OK)
