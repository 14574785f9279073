"""Scoring and correlation of 10,000 trends x 30 snapshots, beside a naive pure-Python baseline.

What is timed (both sides in this run, same data):
* scoring: momentum (growth, EMA velocity/acceleration, smoothed z-score), tag and score of every trend;
* correlation: building the co-movement index (Spearman on first differences) for all trends, then
  "related" for the 50 best-scoring trends against all 10,000 (top 10 each, with lead/lag).
The naive baseline recomputes with textbook code: EMAs from scratch per prefix, z-score windows with
``statistics``, and each pairwise Spearman by re-ranking both difference series.
Target: optimized scoring + correlation under 2 s.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Sequence

from app.trends.correlate import CoMovementIndex, diffs, lagged_comovement
from app.trends.series import analyze

N, LEN, QUERIES, TOP = 10_000, 30, 50, 10


def make_series(rng: random.Random) -> list[float]:
    kind = rng.randrange(5)
    base = rng.uniform(10, 10_000)
    noise = [rng.gauss(0, base * 0.05) for _ in range(LEN)]
    if kind == 0:  # flat
        vals = [base] * LEN
    elif kind == 1:  # ramp
        vals = [base * (1 + 0.05 * i) for i in range(LEN)]
    elif kind == 2:  # step
        at = rng.randrange(5, LEN)
        vals = [base * (4 if i >= at else 1) for i in range(LEN)]
    elif kind == 3:  # spike
        at = rng.randrange(5, LEN)
        vals = [base * (10 if i == at else 1) for i in range(LEN)]
    else:  # decay
        vals = [base * 0.9**i for i in range(LEN)]
    return [max(0.0, v + e) for v, e in zip(vals, noise, strict=True)]


# -- naive baseline ----------------------------------------------------------------------
def naive_ema_last(values: Sequence[float], span: int) -> float:
    alpha = 2 / (span + 1)
    e = values[0]
    for v in values[1:]:
        e = alpha * v + (1 - alpha) * e
    return e


def naive_score(values: Sequence[float]) -> float:
    # velocity at every point, recomputing each EMA from the start (as a first draft would)
    vel = [naive_ema_last(values[: i + 1], 3) - naive_ema_last(values[: i + 1], 8) for i in range(len(values))]
    accel = vel[-1] - vel[-2]
    start = values[-7]
    g = (values[-1] - start) / max(start, 1e-9)
    emerging = False
    filtered = list(values[:5])
    for i in range(5, len(values)):
        w = filtered[i - 5 : i]
        mean, sd = statistics.fmean(w), max(statistics.pstdev(w), 0.02 * abs(statistics.fmean(w)))
        z = (values[i] - mean) / sd if sd else 0.0
        flag = abs(z) > 3.5
        filtered.append(0.3 * values[i] + 0.7 * filtered[-1] if flag else values[i])
        if flag and z > 0 and i >= len(values) - 2:
            emerging = True
    size = min(30.0, 5 * math.log10(1 + values[-1]))
    return size + 30 * math.tanh(max(g, -1)) + 20 * math.tanh(2 * vel[-1] / max(naive_ema_last(values, 8), 1)) + (10 if accel > 0 else 0) + (15 if emerging else 0)


def naive_rank(values: Sequence[float]) -> list[float]:
    s = sorted(values)
    return [(s.index(v) + len(s) - s[::-1].index(v)) / 2 for v in values]  # average rank, O(n^2)


def naive_spearman(a: Sequence[float], b: Sequence[float]) -> float:
    ra, rb = naive_rank(a), naive_rank(b)
    try:
        return statistics.correlation(ra, rb)
    except statistics.StatisticsError:
        return 0.0


def naive_related(key: int, all_series: list[list[float]]) -> list[tuple[float, int]]:
    da = diffs(all_series[key])
    scored = [(naive_spearman(da, diffs(s)), j) for j, s in enumerate(all_series) if j != key]
    scored.sort(reverse=True)
    return scored[:TOP]


def main() -> None:
    rng = random.Random(7)
    series = [make_series(rng) for _ in range(N)]
    keys = [f"t{i}" for i in range(N)]

    t0 = time.perf_counter()
    scores = [analyze(s)[2] for s in series]
    t_score = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = CoMovementIndex(dict(zip(keys, series, strict=True)), LEN)
    best = sorted(range(N), key=lambda i: -scores[i])[:QUERIES]
    results = {}
    for i in best:
        top = index.top(keys[i], n=TOP, min_rho=-1.0)
        results[i] = [(k, rho, lagged_comovement(series[i], series[int(k[1:])]).lag) for k, rho in top]
    t_corr = time.perf_counter() - t0

    # naive baseline on a sample (it is slow), scaled to the full size: a quarter of the trends
    # for scoring, 3 of the related queries
    sample = N // 4
    t0 = time.perf_counter()
    naive_scores = [naive_score(s) for s in series[:sample]]
    tn_score = (time.perf_counter() - t0) * N / sample
    naive_queries = best[:3]
    t0 = time.perf_counter()
    naive = {i: naive_related(i, series) for i in naive_queries}
    tn_corr = (time.perf_counter() - t0) * QUERIES / len(naive_queries)

    # the two agree (same top related trend, scores close where nothing is clamped)
    agree = sum(1 for i in naive_queries if naive[i][0][1] == int(results[i][0][0][1:]))
    diffs_ = [abs(a - min(100.0, max(0.0, b))) for a, b in zip(scores[:sample], naive_scores, strict=True)]
    total, naive_total = t_score + t_corr, tn_score + tn_corr
    print(f"trends scoring+correlation, {N} trends x {LEN} snapshots, {QUERIES} related queries x {N}")
    print(f"  scoring      optimized {t_score:6.3f} s   naive {tn_score:6.3f} s (extrapolated from {sample} trends)   speed-up {tn_score / t_score:5.1f}x")
    print(f"  correlation  optimized {t_corr:6.3f} s   naive {tn_corr:6.3f} s (extrapolated from {len(naive_queries)} queries)   speed-up {tn_corr / t_corr:5.1f}x")
    print(f"  total        optimized {total:6.3f} s   naive {naive_total:6.3f} s   target < 2 s: {'MET' if total < 2 else 'MISSED'}")
    print(f"  per related query: {t_corr / QUERIES * 1000:.1f} ms; same top relation in {agree}/{len(naive_queries)} checked queries; "
          f"median |score diff| {statistics.median(diffs_):.2f}")


if __name__ == "__main__":
    main()
