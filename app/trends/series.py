"""Trend math on plain lists of floats (pure Python; fast enough for 10,000 x 30, see bench/).

Definitions (the same ones the docs and the README use):

* growth over a window of ``k`` points: ``(v_t - v_{t-k}) / max(v_{t-k}, eps)``; a start at
  about zero (``v_{t-k} <= breakout_floor``) with a clearly non-zero end is a *breakout*.
* velocity: ``EMA_fast(v) - EMA_slow(v)`` (spans 3 and 8 by default), acceleration: the change
  of velocity over the last step; ``rel_velocity`` is velocity divided by ``EMA_slow``.
* smoothed z-score detection (Brakel's peak detection): a point more than ``threshold``
  standard deviations above the mean of the previous ``lag`` (filtered) points is a signal;
  signalled points enter the filtered series with weight ``influence`` so a plateau does not
  keep signalling forever. A trend is *emerging* when one of its last two points signalled.
* trending score, 0..100, see :func:`trending_score`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

from app.trends.model import Momentum, Point, TrendTag

EPS = 1e-9


def growth(values: Sequence[float], window: int) -> float:
    """Fractional growth between the point ``window`` steps back (or the first) and the last."""
    if len(values) < 2:
        return 0.0
    k = min(window, len(values) - 1)
    start, end = values[-1 - k], values[-1]
    return (end - start) / max(start, 1.0 if start <= 0 else EPS)


def ema(values: Sequence[float], span: int) -> list[float]:
    """Exponential moving average with ``alpha = 2 / (span + 1)``, seeded with the first value."""
    if not values:
        return []
    alpha = 2.0 / (span + 1.0)
    out = [float(values[0])]
    last = out[0]
    for v in values[1:]:
        last = alpha * v + (1.0 - alpha) * last
        out.append(last)
    return out


def velocity_series(values: Sequence[float], fast: int = 3, slow: int = 8) -> list[float]:
    f = ema(values, fast)
    s = ema(values, slow)
    return [a - b for a, b in zip(f, s, strict=True)]


def smoothed_zscore(
    values: Sequence[float], lag: int = 5, threshold: float = 3.5, influence: float = 0.3
) -> tuple[list[int], list[float]]:
    """Signals (+1 up, -1 down, 0) and z-scores of each point against its lagging window.

    The standard deviation has a floor of 2 % of the window mean so that a nearly flat series
    does not signal on rounding noise; an exactly flat window still signals any real jump.
    """
    n = len(values)
    signals = [0] * n
    zs = [0.0] * n
    if n <= lag:
        return signals, zs
    filtered = [float(v) for v in values[:lag]]
    mul = operator.mul
    for i in range(lag, n):
        window = filtered[i - lag : i]
        mean = sum(window) / lag
        # population variance as E[w^2] - mean^2 (C-level sums; clipped at 0 against rounding)
        var = max(0.0, sum(map(mul, window, window)) / lag - mean * mean)
        std = max(math.sqrt(var), 0.02 * abs(mean))
        dev = values[i] - mean
        z = dev / std if std > EPS else _flat_window_z(dev)
        zs[i] = z
        if abs(z) > threshold:
            signals[i] = 1 if dev > 0 else -1
            filtered.append(influence * values[i] + (1.0 - influence) * filtered[i - 1])
        else:
            filtered.append(float(values[i]))
    return signals, zs


def _flat_window_z(dev: float) -> float:
    """z against an exactly flat window of zeros: any move is infinitely unusual."""
    return 0.0 if abs(dev) <= EPS else math.copysign(math.inf, dev)


def momentum(
    values: Sequence[float],
    *,
    window: int = 6,
    fast: int = 3,
    slow: int = 8,
    lag: int = 5,
    threshold: float = 3.5,
    influence: float = 0.3,
    breakout_floor: float = 1.0,
) -> Momentum:
    """Every momentum figure of one series (oldest value first)."""
    n = len(values)
    if n == 0:
        return Momentum(0, 0.0, 0.0, 0.0, 0.0, 0.0, False, 0.0, False, 0.0)
    latest = float(values[-1])
    g = growth(values, window)
    f = ema(values, fast)
    s = ema(values, slow)
    vel = f[-1] - s[-1]
    prev_vel = (f[-2] - s[-2]) if n >= 2 else 0.0
    accel = vel - prev_vel
    rel = vel / max(abs(s[-1]), 1.0)
    signals, zs = smoothed_zscore(values, lag=lag, threshold=threshold, influence=influence)
    emerging = any(sig > 0 for sig in signals[-2:])
    z = zs[-1]
    if math.isinf(z):
        z = math.copysign(99.0, z)
    k = min(window, n - 1)
    start = float(values[-1 - k]) if n >= 2 else latest
    breakout = n >= 2 and start <= breakout_floor and latest >= max(10.0 * breakout_floor, 10.0)
    peak = max(values)
    peak_ratio = latest / peak if peak > 0 else 1.0
    return Momentum(n, latest, g, vel, rel, accel, emerging, z, breakout, peak_ratio)


def classify(m: Momentum, values: Sequence[float]) -> TrendTag:
    """Tag a series: breakout > exploding > peaked > rising > steady.

    * breakout: the window started at about zero and the trend now has real volume;
    * exploding: at least doubled over the window (growth >= 1) or an emerging signal with
      growth >= 0.5;
    * peaked: the series was at least 1/0.7 times higher earlier and is falling now;
    * rising: growth >= 15 % with positive velocity;
    * steady: anything else.
    """
    if m.points < 2:
        return TrendTag.NEW
    if m.breakout:
        return TrendTag.BREAKOUT
    if m.growth >= 1.0 or (m.emerging and m.growth >= 0.5):
        return TrendTag.EXPLODING
    peak_index = max(range(len(values)), key=values.__getitem__)
    if m.peak_ratio <= 0.7 and peak_index < len(values) - 1 and m.velocity < 0:
        return TrendTag.PEAKED
    if m.growth >= 0.15 and m.velocity > 0:
        return TrendTag.RISING
    return TrendTag.STEADY


def trending_score(m: Momentum) -> float:
    """A 0..100 score; higher means more worth looking at now.

    ``score = 5*log10(1+latest)`` (size: 100 -> 10, 1,000,000 -> 30; capped at 30)
    ``+ 30*tanh(max(growth, -1))`` (growth over the window, -30..30)
    ``+ 20*tanh(2*rel_velocity)`` (EMA velocity relative to the slow EMA, -20..20)
    ``+ 10`` if the last step accelerated, ``+ 15`` if emerging, ``+ 10`` on a breakout,
    clamped to 0..100 and rounded to one decimal. A flat series of volume 1,000 scores 15;
    a fourfold jump at the last point (growth 3, emerging, accelerating) of a series at 100
    scores about 83.
    """
    if m.points == 0:
        return 0.0
    size = min(30.0, 5.0 * math.log10(1.0 + max(m.latest, 0.0)))
    score = size + 30.0 * math.tanh(max(m.growth, -1.0)) + 20.0 * math.tanh(2.0 * m.rel_velocity)
    if m.acceleration > EPS:
        score += 10.0
    if m.emerging:
        score += 15.0
    if m.breakout:
        score += 10.0
    return round(min(100.0, max(0.0, score)), 1)


def analyze(values: Sequence[float]) -> tuple[Momentum, TrendTag, float]:
    """Momentum, tag and score of one series with the default parameters."""
    m = momentum(values)
    return m, classify(m, values), trending_score(m)


def combined_series(points: Sequence[Point]) -> list[float]:
    """One series per trend from snapshots of several sources, each compared in its own units.

    Sources count in different units (a CSV's 145 mentions, TikTok's 12,000 views), so volumes
    are never summed: each source's volume is taken relative to its own first (non-zero) volume,
    the sources seen so far are averaged at each time (a source missing at that time keeps its
    last value: forward fill, so a trend seen by Reddit at every sync and by Google once does
    not zig-zag), and the result is expressed in the units of the first source. A trend one source
    sees is its raw series; a second source turning up is no growth by itself.
    """
    by_time: dict[object, dict[str, float]] = {}
    for p in sorted(points, key=lambda p: p.taken_at):
        by_time.setdefault(p.taken_at, {})[p.source] = p.volume
    base: dict[str, float] = {}  # each source's first non-zero volume
    relative: dict[str, float] = {}
    raw_first = 0.0  # the latest volume of the first source, reported as is while it is the only one
    out: list[float] = []
    for _t, vols in by_time.items():
        for source, volume in vols.items():
            if source not in base:
                if volume <= 0:
                    continue
                base[source] = volume
            relative[source] = volume / base[source]
            if source == next(iter(base)):
                raw_first = volume
        if not base:
            out.append(0.0)
        elif len(relative) == 1:
            out.append(raw_first)
        else:
            out.append(next(iter(base.values())) * sum(relative.values()) / len(relative))
    return out


def source_series(points: Sequence[Point]) -> dict[str, list[tuple[object, float]]]:
    """Per-source series of (time, volume), oldest first."""
    out: dict[str, list[tuple[object, float]]] = {}
    for p in sorted(points, key=lambda p: p.taken_at):
        out.setdefault(p.source, []).append((p.taken_at, p.volume))
    return out
