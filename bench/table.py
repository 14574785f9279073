"""One row format for every benchmark's headline figures; scripts/bench.sh gathers them into a table.

Each figure is printed beside a baseline measured in the same run, their ratio, the target and
whether it was met. Timings are medians of interleaved repetitions (A B A B ...), so slow drift of a
shared machine falls on both sides alike.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence

PREFIX = "BENCH|"


def row(figure: str, value: float, baseline: float, unit: str, target: str, met: bool) -> None:
    ratio = value / baseline if baseline else float("nan")
    print(f"{PREFIX}{figure}|{value:,.3f} {unit}|{baseline:,.3f} {unit}|{ratio:.2f}x|{target}|{'yes' if met else 'NO'}",
          flush=True)


def interleaved(a: Callable[[], object], b: Callable[[], object], reps: int) -> tuple[list[float], list[float]]:
    """Seconds of each run of ``a`` and ``b``, alternating A B A B (one warm-up each first)."""
    a()
    b()
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(reps):
        for fn, out in ((a, ta), (b, tb)):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return ta, tb


def median_ms(values: Sequence[float]) -> float:
    return statistics.median(values) * 1000


def p95_ms(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"
