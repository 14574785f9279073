"""An operation's latency figures: the percentiles of its last calls, kept in a bounded, compact ring."""

from __future__ import annotations

import tracemalloc

from services.metrics import KEPT_LATENCIES, OperationStats


def test_the_percentiles_are_of_the_last_calls_only() -> None:
    stats = OperationStats()
    for _ in range(KEPT_LATENCIES):
        stats.observe(1.0, failed=False)
    for i in range(KEPT_LATENCIES):
        stats.observe(0.001 + i * 1e-9, failed=i == 0)
    snap = stats.snapshot()
    assert snap["count"] == 2 * KEPT_LATENCIES and snap["errors"] == 1
    assert round(snap["p50_ms"]) == 1 and round(snap["p95_ms"]) == 1  # every 1 s call was overwritten


def test_a_busy_operation_keeps_its_latencies_in_8_bytes_each() -> None:
    """A service lives as long as the window; each busy operation kept 2048 float objects in a deque
    (~66 KB). As doubles in a ring they take 16 KB, however many calls come."""
    stats = OperationStats()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(3 * KEPT_LATENCIES):
            stats.observe(i * 1e-6, failed=False)  # a float object of its own each time
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= KEPT_LATENCIES * 8 + 1024
