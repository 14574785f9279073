"""Step progress, percentages and ETAs for a build."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.builds.model import Backend, BuildInfo, Platform
from app.builds.outcome import FINISHED, Outcome

# The direct pipeline's steps per platform, with relative weights (roughly their measured share of time).
DIRECT_STEPS: dict[Platform, tuple[tuple[str, float], ...]] = {
    Platform.APK: (
        ("prepare", 1.0),
        ("compile resources", 2.0),
        ("link", 2.0),
        ("assemble dex", 3.0),
        ("package", 1.0),
        ("align", 1.0),
        ("sign", 3.0),
        ("verify", 3.0),
    ),
    Platform.AAB: (
        ("prepare", 1.0),
        ("compile resources", 2.0),
        ("link", 2.0),
        ("assemble dex", 3.0),
        ("bundle", 1.0),
        ("sign", 2.0),
        ("verify", 2.0),
    ),
    Platform.WEB: (("prepare", 1.0), ("bundle", 1.0), ("verify", 1.0)),
}

GRADLE_STEPS: dict[Platform, tuple[tuple[str, float], ...]] = {
    Platform.APK: (("prepare", 1.0), ("gradle", 20.0), ("align", 1.0), ("sign", 2.0), ("verify", 2.0)),
    Platform.AAB: (("prepare", 1.0), ("gradle", 20.0), ("sign", 2.0), ("verify", 2.0)),
}
DEPLOY_STEP = ("deploy", 2.0)


def plan_steps(backend: Backend, platform: Platform, *, deploy: bool) -> StepPlan:
    """The steps a build runs, in order, with their weights."""
    base = (GRADLE_STEPS if backend is Backend.GRADLE else DIRECT_STEPS)[platform]
    return StepPlan((*base, DEPLOY_STEP) if deploy else base)


@dataclass(frozen=True)
class StepPlan:
    steps: tuple[tuple[str, float], ...]

    @property
    def names(self) -> list[str]:
        return [s for s, _ in self.steps]

    def percent(self, step: str, within: float = 0.0) -> float:
        """Percentage done when ``step`` is ``within`` (0..1) complete."""
        total = sum(w for _, w in self.steps)
        done = 0.0
        for name, weight in self.steps:
            if name == step:
                return 100.0 * (done + weight * max(0.0, min(within, 1.0))) / total
            done += weight
        return 100.0 * done / total if step == "done" else 0.0


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of [1..20] is 19)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def expected_duration(past: Sequence[float]) -> float | None:
    """The median of the most recent (up to 10) successful durations of the same template and platform."""
    recent = [d for d in list(past)[-10:] if d > 0]
    if not recent:
        return None
    ordered = sorted(recent)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def eta_seconds(elapsed: float, fraction: float, past: Sequence[float]) -> float | None:
    """Seconds left: from past durations when known, else extrapolated from progress so far."""
    expected = expected_duration(past)
    if expected is not None and elapsed < expected:
        return expected - elapsed
    # unknown, or running long: extrapolate from progress, never a negative ETA
    if fraction <= 0.02:
        return None
    return max(0.0, elapsed / fraction - elapsed)


def build_times(info: BuildInfo, now: datetime, past: Callable[[], Sequence[float]], *,
                percent: float | None = None) -> tuple[float, float | None]:
    """(elapsed, eta) in seconds of one build: elapsed up to its finish (or ``now``); the ETA is 0 once
    it is finished, else from ``past()`` durations (read only when needed) and ``percent`` (default:
    the recorded one; the panel passes the live one)."""
    if info.started_at is None:
        return 0.0, None
    end = info.finished_at or now
    elapsed = max(0.0, (end - info.started_at).total_seconds())
    if FINISHED(info):
        return elapsed, 0.0
    done = info.percent if percent is None else percent
    return elapsed, eta_seconds(elapsed, done / 100.0, past())


def format_seconds(value: float | None) -> str:
    if value is None:
        return "-"
    value = max(0.0, value)
    if value < 60:
        return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"
    minutes, seconds = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


@dataclass(frozen=True)
class BuildStats:
    template_id: str
    platform: str
    builds: int
    succeeded: int
    failed: int
    cancelled: int
    mean_s: float | None
    p95_s: float | None

    @property
    def success_rate(self) -> float | None:
        finished = self.succeeded + self.failed
        return None if finished == 0 else self.succeeded / finished

    def to_dict(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "platform": self.platform,
            "builds": self.builds,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "success_rate": None if self.success_rate is None else round(self.success_rate, 4),
            "mean_s": None if self.mean_s is None else round(self.mean_s, 3),
            "p95_s": None if self.p95_s is None else round(self.p95_s, 3),
        }


def compute_stats(
    template_id: str, platform: str, rows: Sequence[tuple[Outcome, float | None]]
) -> BuildStats:
    """``rows``: (outcome, duration) of each build of one template and platform."""
    ok = [d for s, d in rows if s is Outcome.SUCCEEDED]
    durations = [d for d in ok if d is not None]
    return BuildStats(
        template_id=template_id,
        platform=platform,
        builds=len(rows),
        succeeded=len(ok),
        failed=sum(1 for s, _ in rows if s is Outcome.FAILED),
        cancelled=sum(1 for s, _ in rows if s is Outcome.CANCELLED),
        mean_s=sum(durations) / len(durations) if durations else None,
        p95_s=percentile(durations, 95) if durations else None,
    )
