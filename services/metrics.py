"""Timing metrics per service operation: count, errors, p50/p95 latency, cache hit rate."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TypedDict


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


class OperationSnapshot(TypedDict):
    count: int
    errors: int
    p50_ms: float
    p95_ms: float


class CacheSnapshot(TypedDict):
    hits: int
    misses: int
    hit_rate: float


class MetricsSnapshot(TypedDict):
    """One service's figures, as ``trendforge metrics`` shows them."""

    operations: dict[str, OperationSnapshot]
    cache: CacheSnapshot


KEPT_LATENCIES = 2048  # the percentiles are of an operation's last this many calls


@dataclass
class OperationStats:
    """One operation's figures. Its last :data:`KEPT_LATENCIES` latencies are kept as C doubles in a
    ring (8 bytes each; a deque of floats took 32, ~66 KB per busy operation, held for the process's life)."""

    count: int = 0
    errors: int = 0
    latencies: array[float] = field(default_factory=lambda: array("d"))

    def observe(self, seconds: float, *, failed: bool) -> None:
        self.count += 1
        if failed:
            self.errors += 1
        if len(self.latencies) < KEPT_LATENCIES:
            self.latencies.append(seconds)
        else:  # full: the oldest is overwritten
            self.latencies[(self.count - 1) % KEPT_LATENCIES] = seconds

    def snapshot(self) -> OperationSnapshot:
        ordered = sorted(self.latencies)
        return {
            "count": self.count,
            "errors": self.errors,
            "p50_ms": round(percentile(ordered, 50) * 1000, 3),
            "p95_ms": round(percentile(ordered, 95) * 1000, 3),
        }


@dataclass
class ServiceMetrics:
    operations: dict[str, OperationStats] = field(default_factory=dict)
    cache_hits: int = 0
    cache_misses: int = 0

    def op(self, name: str) -> OperationStats:
        stats = self.operations.get(name)
        if stats is None:
            stats = self.operations[name] = OperationStats()
        return stats

    @property
    def cache_hit_rate(self) -> float:
        total = self.cache_hits + self.cache_misses
        return self.cache_hits / total if total else 0.0

    def snapshot(self) -> MetricsSnapshot:
        return {
            "operations": {k: v.snapshot() for k, v in sorted(self.operations.items())},
            "cache": {
                "hits": self.cache_hits,
                "misses": self.cache_misses,
                "hit_rate": round(self.cache_hit_rate, 4),
            },
        }
