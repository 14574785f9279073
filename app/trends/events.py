"""Events of the trends area."""

from __future__ import annotations

import dataclasses

from app.events import Event, event_type


@event_type("trend.discovered")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrendDiscovered(Event):
    trend_id: str = ""
    title: str = ""
    sources: tuple[str, ...] = ()


@event_type("trend.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrendUpdated(Event):
    trend_id: str = ""
    title: str = ""
    tag: str = ""
    score: float = 0.0


@event_type("trend.emerging")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrendEmerging(Event):
    trend_id: str = ""
    title: str = ""
    tag: str = ""
    score: float = 0.0


@event_type("trend.archived")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrendArchived(Event):
    trend_id: str = ""
    title: str = ""


@event_type("trend.unarchived")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrendUnarchived(Event):
    trend_id: str = ""
    title: str = ""


@event_type("trends.synced")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrendsSynced(Event):
    sources: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    items: int = 0
    discovered: int = 0
    updated: int = 0
    emerging: int = 0


@event_type("source.failed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class SourceFailed(Event):
    source_name: str = ""
    error: str = ""
    backoff_seconds: float = 0.0
    consecutive_failures: int = 0
