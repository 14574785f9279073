"""Relations between trends: text similarity and co-movement (Spearman on first differences).

Co-movement is Spearman's rank correlation of the *first differences* of two series (so two
series that both merely grow are not "related" by their trend alone). Lagged correlation
shifts one series against the other; a best lag ``L > 0`` means ``a`` leads ``b`` by ``L``
steps (``b[t]`` moves like ``a[t - L]``).

For many trends, :class:`CoMovementIndex` standardizes each trend's difference ranks once so
every pairwise Spearman is a dot product.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from app.trends.model import Point
from app.trends.normalize import tokens


def diffs(values: Sequence[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(values)]


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1-based), ties share the mean of their positions."""
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        avg = (i + j) / 2.0 + 1.0
        for k in range(i, j + 1):
            out[order[k]] = avg
        i = j + 1
    return out


def pearson(a: Sequence[float], b: Sequence[float]) -> float:
    n = len(a)
    if n < 2 or n != len(b):
        return 0.0
    ma = sum(a) / n
    mb = sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    if saa <= 0 or sbb <= 0:
        return 0.0
    return sab / math.sqrt(saa * sbb)


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho; 0.0 when either side is constant or shorter than 3."""
    if len(a) < 3 or len(a) != len(b):
        return 0.0
    return pearson(ranks(a), ranks(b))


def direction_agreement(da: Sequence[float], db: Sequence[float]) -> float:
    """Share of steps where both moved and moved the same way (1.0 when neither ever moved together)."""
    both = [(x > 0) == (y > 0) for x, y in zip(da, db, strict=False) if x != 0 and y != 0]
    return sum(both) / len(both) if both else 1.0


def comovement(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman correlation of first differences of two aligned series.

    A positive rho only counts when the two moved the same way on at least half of the steps
    where both moved: the ranks of a steady decay's differences (-100, -80, -64, ...) and of a
    take-off's (0, 0, 3, 37, ...) both increase, yet one falls while the other rises.
    """
    n = min(len(a), len(b))
    da, db = diffs(a[-n:]), diffs(b[-n:])
    rho = spearman(da, db)
    if rho > 0 and direction_agreement(da, db) < 0.5:
        return 0.0
    return rho


@dataclass(frozen=True)
class LagResult:
    lag: int  # > 0: a leads b by lag steps; < 0: b leads a
    correlation: float

    @property
    def leader(self) -> str:
        return "a" if self.lag > 0 else "b" if self.lag < 0 else "together"


def lagged_comovement(a: Sequence[float], b: Sequence[float], max_lag: int = 3) -> LagResult:
    """The lag in ``-max_lag..max_lag`` with the highest Spearman on first differences.

    Ties prefer the smaller absolute lag. At least 4 overlapping differences are required.
    """
    da, db = diffs(a), diffs(b)
    n = min(len(da), len(db))
    da, db = da[-n:], db[-n:]
    best = LagResult(0, spearman(da, db))
    for lag in range(1, max_lag + 1):
        if n - lag < 4:
            break
        fwd = spearman(da[: n - lag], db[lag:])  # a earlier, b later: a leads
        back = spearman(da[lag:], db[: n - lag])  # b leads
        for value, signed in ((fwd, lag), (back, -lag)):
            if value > best.correlation + 1e-9:
                best = LagResult(signed, value)
    return best


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of word sets plus character-trigram overlap, 0..1."""
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return 0.0
    jac = len(ta & tb) / len(ta | tb)
    ga, gb = trigrams("".join(sorted(ta))), trigrams("".join(sorted(tb)))
    tri = len(ga & gb) / len(ga | gb) if ga and gb else 0.0
    return max(jac, 0.6 * jac + 0.4 * tri)


def trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


@dataclass(frozen=True)
class Related:
    key: str
    text: float
    comovement: float
    lag: int
    score: float


class CoMovementIndex:
    """Spearman on first differences for many series, each pair one big-integer multiplication.

    Each series' difference ranks (doubled, so tied average ranks stay integers) are packed into one
    Python int, ``r_0 + r_1*B + r_2*B^2 ...`` with ``B = 2**bits`` wide enough that no coefficient of a
    product carries. The query packs its ranks in reverse order; the coefficient of ``B^(m-1)`` in
    the product is then the dot product of the two rank vectors, read with a shift and a mask. With
    the rank means and centred norms kept beside it, that dot product is Pearson's r of the ranks,
    i.e. Spearman's rho. Series are aligned on their last ``length`` points; a shorter one is padded
    with its mean rank (contributing zero), one with fewer than 4 points or constant differences is
    left out. Exactness: all of it is integer arithmetic until the final division.
    """

    def __init__(self, series: dict[str, Sequence[float]], length: int = 30) -> None:
        self.length = length
        m = length - 1
        self._m = m
        self._bits = (m * (2 * m) ** 2).bit_length() + 1
        self._mask = (1 << self._bits) - 1
        self._shift = self._bits * (m - 1)
        self.keys: list[str] = []
        self._codes: list[int] = []
        self._rev: list[int] = []
        self._means: list[int] = []  # doubled mean rank (an integer)
        self._norms: list[float] = []  # centred norm of the doubled ranks
        self._pos: dict[str, int] = {}
        for key, values in series.items():
            if len(values) < 4:
                continue
            d = diffs(values[-length:])
            doubled = [int(2 * r) for r in ranks(d)]
            k = len(doubled)
            mean2 = k + 1  # 2 * (k + 1) / 2
            norm_sq = sum((x - mean2) ** 2 for x in doubled)
            if norm_sq <= 0:
                continue
            padded = [mean2] * (m - k) + doubled
            self._pos[key] = len(self.keys)
            self.keys.append(key)
            self._codes.append(self._pack(padded))
            self._rev.append(self._pack(padded[::-1]))
            self._means.append(mean2)
            self._norms.append(math.sqrt(norm_sq))

    def _pack(self, values: Sequence[int]) -> int:
        code = 0
        for v in reversed(values):
            code = (code << self._bits) | v
        return code

    def __contains__(self, key: str) -> bool:
        return key in self._pos

    def __len__(self) -> int:
        return len(self.keys)

    def rho(self, a: str, b: str) -> float:
        ia, ib = self._pos.get(a), self._pos.get(b)
        if ia is None or ib is None:
            return 0.0
        dot = ((self._codes[ib] * self._rev[ia]) >> self._shift) & self._mask
        return (dot - self._m * self._means[ia] * self._means[ib]) / (self._norms[ia] * self._norms[ib])

    def top(self, key: str, n: int = 10, min_rho: float = 0.5) -> list[tuple[str, float]]:
        """The ``n`` keys whose difference ranks correlate best with ``key``'s."""
        i = self._pos.get(key)
        if i is None:
            return []
        q, shift, mask = self._rev[i], self._shift, self._mask
        mq, nq = self._m * self._means[i], self._norms[i]
        rhos = [
            ((((c * q) >> shift) & mask) - mq * mb) / (nq * nb)
            for c, mb, nb in zip(self._codes, self._means, self._norms, strict=True)
        ]
        rhos[i] = -math.inf
        best = heapq.nlargest(n, range(len(rhos)), key=rhos.__getitem__)
        return [(self.keys[j], rhos[j]) for j in best if rhos[j] >= min_rho]


def related(
    key: str,
    title: str,
    series: Sequence[float],
    candidates: Iterable[tuple[str, str, Sequence[float]]],
    *,
    n: int = 10,
    min_score: float = 0.3,
) -> list[Related]:
    """Rank ``candidates`` (key, title, series) by ``0.5*text + 0.5*max(comovement, 0)``.

    The lag of each relation is reported (positive: this trend leads the other).
    """
    out: list[Related] = []
    for other_key, other_title, other_series in candidates:
        if other_key == key:
            continue
        text = text_similarity(title, other_title)
        co = comovement(series, other_series) if min(len(series), len(other_series)) >= 4 else 0.0
        score = 0.5 * text + 0.5 * max(co, 0.0)
        if score < min_score:
            continue
        lag = lagged_comovement(series, other_series).lag if co > 0 else 0
        out.append(Related(other_key, round(text, 3), round(co, 3), lag, round(score, 3)))
    out.sort(key=lambda r: (-r.score, r.key))
    return out[:n]


class SourceLeadDict(TypedDict):
    a: str
    b: str
    lag: int
    correlation: float
    leader: str  # "" when the two moved together


@dataclass(frozen=True)
class SourceLead:
    """Which of two sources moved first on one trend (``lag`` steps; 0 = together)."""

    a: str
    b: str
    lag: int  # > 0: a leads b
    correlation: float

    @property
    def leader(self) -> str:
        return self.a if self.lag > 0 else self.b if self.lag < 0 else ""

    def to_dict(self) -> SourceLeadDict:
        return {"a": self.a, "b": self.b, "lag": self.lag, "correlation": round(self.correlation, 3), "leader": self.leader}


def aligned_source_series(points: Sequence[Point]) -> tuple[list[object], dict[str, list[float]]]:
    """Every source's volumes on the union of snapshot times: 0 before a source first saw the
    trend, its last volume carried forward where a sync did not fetch it."""
    times = sorted({p.taken_at for p in points})
    at: dict[str, dict[object, float]] = {}
    for p in points:
        at.setdefault(p.source, {})[p.taken_at] = p.volume
    out: dict[str, list[float]] = {}
    for source, values in at.items():
        last = 0.0
        row = []
        for t in times:
            last = values.get(t, last)
            row.append(last)
        out[source] = row
    return list(times), out


def source_leads(points: Sequence[Point], max_lag: int = 3) -> list[SourceLead]:
    """For a trend seen by several sources: the lag (in snapshots) at which their first
    differences correlate best, i.e. which source picks the topic up first."""
    times, series = aligned_source_series(points)
    if len(times) < 6:
        return []
    out = []
    for a, b in itertools.combinations(sorted(series), 2):
        res = lagged_comovement(series[a], series[b], max_lag)
        if res.correlation > 0:
            out.append(SourceLead(a, b, res.lag, res.correlation))
    return out
