"""Domain types of the trends area: sources, tags, snapshots and computed metrics."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from app.choice import parse_choice


class SourceName(enum.StrEnum):
    REDDIT = "reddit"
    GOOGLE_TRENDS = "google_trends"
    X = "x"
    TIKTOK = "tiktok"
    CSV = "csv"

    @property
    def setting_name(self) -> str:
        """The NAME used for ``TRENDFORGE_<NAME>_BASE_URL`` and ``settings.base_url``."""
        return self.value.upper()


#: sources a scheduled/on-demand sync can fetch (CSV is import-only)
FETCHABLE = (SourceName.REDDIT, SourceName.GOOGLE_TRENDS, SourceName.X, SourceName.TIKTOK)
CREDENTIALED = (SourceName.X, SourceName.TIKTOK)  # sources fetched with a credential from the keyring
DEFAULT_ENABLED = (SourceName.REDDIT, SourceName.GOOGLE_TRENDS)
DEFAULT_SUBREDDITS = ("AndroidApps", "apps", "gaming", "technology", "InternetIsBeautiful")
DEFAULT_INTERVAL_MINUTES = 60


def parse_source(text: str) -> SourceName:
    aliases = {"google": "google_trends", "gtrends": "google_trends", "twitter": "x"}
    return parse_choice(SourceName, text, "source", aliases=aliases, same={"-": "_"})


def parse_tag(text: str) -> TrendTag:
    return parse_choice(TrendTag, text, "tag")


class TrendTag(enum.StrEnum):
    BREAKOUT = "breakout"
    EXPLODING = "exploding"
    RISING = "rising"
    STEADY = "steady"
    PEAKED = "peaked"
    NEW = "new"  # fewer than two points: nothing to say yet


@dataclass(frozen=True)
class SourceItem:
    """One item a source returned in one fetch: a title with a volume and a rank."""

    source: SourceName
    title: str
    volume: float
    rank: int
    url: str = ""
    category: str = ""
    extra: dict[str, object] = field(default_factory=dict)


HISTORY_POINTS = 30  # the recent series a trend is scored and related on


@dataclass(frozen=True)
class Point:
    """A snapshot: the volume and rank of a trend at a time, from one source."""

    taken_at: datetime
    source: str
    volume: float
    rank: int


@dataclass(frozen=True)
class Momentum:
    points: int
    latest: float
    growth: float  # fraction over the window: 1.0 = doubled
    velocity: float  # EMA_fast - EMA_slow, in volume units
    rel_velocity: float  # velocity / EMA_slow
    acceleration: float  # change of velocity over the last step
    emerging: bool  # smoothed z-score signalled at one of the last points
    zscore: float  # z of the latest point against its lagging window
    breakout: bool  # started from about zero
    peak_ratio: float  # latest / max of the series

    def to_dict(self) -> dict[str, float | int | bool]:
        return {
            "points": self.points,
            "latest": self.latest,
            "growth": round(self.growth, 4),
            "velocity": round(self.velocity, 4),
            "rel_velocity": round(self.rel_velocity, 4),
            "acceleration": round(self.acceleration, 4),
            "emerging": self.emerging,
            "zscore": round(self.zscore, 3),
            "breakout": self.breakout,
            "peak_ratio": round(self.peak_ratio, 4),
        }
