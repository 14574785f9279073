"""When an outside party (a payments provider, a trends source) has failed too often in a row: how long
to leave it alone, and when it is healthy again. Decided here once; each area passes its own policy.

The state is a run of failures in a row. A success ends the run. From ``policy.threshold`` failures on,
each failure rests the party: for ``policy.base`` seconds (fixed), or doubling from ``base`` per further
failure (exponential); at most ``policy.cap`` seconds, but never less than the party's own Retry-After.
Within one run the rest never shrinks: a later failure (an on-demand try while resting, a clock that
stepped back) never ends a rest the party asked for earlier.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class Growth(enum.Enum):
    FIXED = "fixed"  # every rest lasts ``base`` seconds
    EXPONENTIAL = "exponential"  # base, 2 x base, 4 x base, ... per failure past the threshold


@dataclass(frozen=True)
class RestPolicy:
    """One area's rule: after ``threshold`` failures in a row, rest ``base`` seconds (growing per ``growth``)
    up to ``cap`` seconds."""

    threshold: int
    base: float
    cap: float
    growth: Growth

    def __post_init__(self) -> None:
        if self.threshold < 1 or self.base <= 0 or self.cap < self.base:
            raise ValueError(f"a rest policy needs threshold >= 1 and 0 < base <= cap, not {self}")

    def rest_seconds(self, failures: int, retry_after: float | None = None) -> float | None:
        """How long the ``failures``-th failure in a row rests the party (None: it is not rested yet)."""
        if failures < self.threshold:
            return None
        # the doubling's exponent is bounded first, so a long run never makes a huge float
        doubled = self.base * 2.0 ** min(failures - self.threshold, 64)
        seconds = min(self.base if self.growth is Growth.FIXED else doubled, self.cap)
        if retry_after is not None and retry_after > seconds:
            seconds = retry_after
        return seconds


class Standing(enum.Enum):
    OK = "ok"  # no failure since the last success
    DEGRADED = "degraded"  # failing, not yet as often as the policy's threshold
    UNHEALTHY = "unhealthy"  # failed at least threshold times in a row: resting, or to be tried again after a rest


@dataclass(frozen=True)
class FailureRun:
    """An outside party's failures in a row, its last error, and until when it is left alone."""

    failures: int = 0
    last_error: str | None = None
    resting_until: datetime | None = None

    def standing(self, policy: RestPolicy) -> Standing:
        if self.failures <= 0:
            return Standing.OK
        return Standing.UNHEALTHY if self.failures >= policy.threshold else Standing.DEGRADED

    def after_success(self) -> FailureRun:
        return FailureRun()

    def after_failure(self, policy: RestPolicy, now: datetime, error: str,
                      retry_after: float | None = None) -> FailureRun:
        failures = max(self.failures, 0) + 1
        seconds = policy.rest_seconds(failures, retry_after)
        until = self.resting_until
        if seconds is not None:
            proposed = now + timedelta(seconds=seconds)
            until = proposed if until is None or proposed > until else until
        return FailureRun(failures=failures, last_error=error, resting_until=until)

    def is_resting(self, now: datetime) -> bool:
        return self.resting_until is not None and self.resting_until > now

    def rest_left(self, now: datetime) -> float:
        """Seconds until the rest ends (0 when not resting)."""
        if self.resting_until is None:
            return 0.0
        return max((self.resting_until - now).total_seconds(), 0.0)
