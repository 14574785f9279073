"""Events of the trends area."""

from __future__ import annotations

from app.events import Event, event_dataclass, event_type


@event_type("trend.discovered")
@event_dataclass
class TrendDiscovered(Event):
    trend_id: str = ""
    title: str = ""
    sources: tuple[str, ...] = ()


@event_type("trend.updated")
@event_dataclass
class TrendUpdated(Event):
    trend_id: str = ""
    title: str = ""
    tag: str = ""
    score: float = 0.0


@event_type("trend.emerging")
@event_dataclass
class TrendEmerging(Event):
    trend_id: str = ""
    title: str = ""
    tag: str = ""
    score: float = 0.0


@event_type("trend.archived")
@event_dataclass
class TrendArchived(Event):
    trend_id: str = ""
    title: str = ""


@event_type("trend.unarchived")
@event_dataclass
class TrendUnarchived(Event):
    trend_id: str = ""
    title: str = ""


@event_type("trends.synced")
@event_dataclass
class TrendsSynced(Event):
    sources: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    items: int = 0
    discovered: int = 0
    updated: int = 0
    emerging: int = 0


@event_type("source.failed")
@event_dataclass
class SourceFailed(Event):
    source_name: str = ""
    error: str = ""
    backoff_seconds: float = 0.0
    consecutive_failures: int = 0
