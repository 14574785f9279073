"""The shapes the trends service answers with: what the Trends panel shows and the CLI prints with ``--json``."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from app.failures import FailureRun
from app.jsonvalue import JsonValue
from app.trends.correlate import SourceLeadDict


class TrendRow(TypedDict):
    id: str
    title: str
    key: str
    category: str
    url: str
    sources: list[str]
    first_seen: str  # ISO time
    last_seen: str
    volume: float
    score: float
    tag: str
    emerging: bool
    momentum: dict[str, float | int | bool]  # app.trends.model's momentum figures, as stored (empty: none yet)
    archived: bool
    archived_at: str | None
    series: NotRequired[list[float]]


class SnapshotRow(TypedDict):
    taken_at: str
    source: str
    volume: float
    rank: int


class AliasRow(TypedDict):
    alias: str
    source: str
    first_seen: str


class TrendDetail(TrendRow):
    snapshots: list[SnapshotRow]
    aliases: list[AliasRow]
    first_seen_by_source: dict[str, str]
    source_leads: list[SourceLeadDict]


class RelatedTrend(TypedDict):
    id: str
    title: str
    score: float
    text: float
    comovement: float
    lag: int
    leader: str  # this | other | together


class PickedTrend(TypedDict):
    trend_id: str
    title: str
    score: float
    tag: str
    category: str


class SourceHealthRow(TypedDict):
    name: str
    enabled: bool
    last_success: str | None
    last_attempt: str | None
    last_error: str
    last_error_at: str | None
    failures: int
    backoff_until: str | None
    last_items: int
    notes: dict[str, JsonValue]
    ok: bool


class SourceHealthState(TypedDict):
    """A source's health row and its failure run (kept in the cache; the run is not shown)."""

    row: SourceHealthRow
    run: FailureRun


class TrendSettings(TypedDict):
    enabled_sources: list[str]
    subreddits: list[str]
    interval_minutes: int
    geo: str  # a two-letter country code
    woeid: int  # X's place id (1 = worldwide)


class CsvImportResult(TypedDict):
    file: str
    source: str
    rows: int
    discovered: int
    updated: int
    emerging: int
    snapshots: int
