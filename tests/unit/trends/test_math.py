"""Trend math on constructed series with known answers: step, ramp, spike, decay, flat line."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from app.trends.correlate import (
    CoMovementIndex,
    comovement,
    diffs,
    lagged_comovement,
    ranks,
    related,
    spearman,
    text_similarity,
)
from app.trends.matching import TemplateInfo, match_templates
from app.trends.model import Point, TrendTag
from app.trends.normalize import normalize_title, tokens
from app.trends.series import (
    analyze,
    classify,
    combined_series,
    ema,
    growth,
    momentum,
    smoothed_zscore,
    trending_score,
)

FLAT = [100.0] * 30
STEP = [100.0] * 25 + [400.0] * 5  # jumps x4 five points before the end
STEP_NOW = [100.0] * 29 + [400.0]  # jumps at the last point
RAMP = [100.0 + 10.0 * i for i in range(30)]  # 100 .. 390
SPIKE = [100.0] * 20 + [1000.0] + [100.0] * 9
DECAY = [1000.0 * 0.85**i for i in range(30)]
FROM_ZERO = [0.0] * 24 + [0.0, 5.0, 40.0, 120.0, 300.0, 600.0]


# -- normalization -------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("#TaylorSwift", "Taylor Swift"),
        ("taylor swift!!", "Taylor  SWIFT"),
        ("Pokémon Go", "pokemon go"),
        ("The Batman", "batman"),
        ("AI Wallpapers", "#AIWallpapers"),
    ],
)
def test_same_topic_normalizes_to_one_key(a: str, b: str) -> None:
    assert normalize_title(a) == normalize_title(b)
    assert normalize_title(a) != ""


def test_different_topics_differ_and_punctuation_only_is_empty() -> None:
    assert normalize_title("Taylor Swift") != normalize_title("Taylor Lautner")
    assert normalize_title("!!!") == ""
    assert tokens("The Lord of the Rings") == ["lord", "rings"]


# -- basic series ------------------------------------------------------------------
def test_growth_known_values() -> None:
    assert growth([100, 150], 6) == pytest.approx(0.5)
    assert growth(RAMP, 6) == pytest.approx((390 - 330) / 330)
    assert growth(FLAT, 6) == 0.0
    assert growth([0, 10], 1) == pytest.approx(10.0)  # from zero: divided by 1, not by eps
    assert growth([5], 6) == 0.0


def test_ema_of_flat_is_flat_and_tracks_a_step() -> None:
    assert ema(FLAT, 5) == FLAT
    e = ema([0.0, 10.0], 3)  # alpha = 0.5
    assert e == [0.0, 5.0]


def test_smoothed_zscore_flags_step_and_spike_but_not_flat_or_ramp() -> None:
    assert smoothed_zscore(FLAT)[0] == [0] * 30
    sig, _ = smoothed_zscore(STEP_NOW)
    assert sig[-1] == 1 and sum(sig[:-1]) == 0
    sig, _ = smoothed_zscore(SPIKE)
    assert sig[20] == 1
    assert sig[:20] == [0] * 20
    sig, _ = smoothed_zscore(RAMP)
    assert 1 not in sig  # a steady linear ramp is not a peak


# -- momentum, tags, score on the five shapes ----------------------------------------
def test_flat_line_is_steady_with_zero_momentum() -> None:
    m, tag, score = analyze(FLAT)
    assert m.growth == 0.0 and m.velocity == pytest.approx(0.0) and m.acceleration == pytest.approx(0.0)
    assert not m.emerging and not m.breakout
    assert tag is TrendTag.STEADY
    assert score == pytest.approx(round(5 * math.log10(101), 1))


def test_step_at_the_end_is_exploding_and_emerging() -> None:
    m, tag, score = analyze(STEP_NOW)
    assert m.growth == pytest.approx(3.0)
    assert m.emerging
    assert m.velocity > 0 and m.acceleration > 0
    assert tag is TrendTag.EXPLODING
    assert score >= 80


def test_step_five_points_back_still_grows_but_decelerates() -> None:
    m, tag, _ = analyze(STEP)
    assert m.growth == pytest.approx(3.0)  # window of 6 still reaches before the step
    assert m.acceleration < 0  # the fast EMA has caught up; velocity shrinks
    assert not m.emerging  # the signal was five points ago
    assert tag is TrendTag.EXPLODING


def test_ramp_is_rising() -> None:
    m, tag, score = analyze(RAMP)
    assert m.growth == pytest.approx(60 / 330)
    assert m.velocity > 0
    assert tag is TrendTag.RISING
    assert 25 < score < 80


def test_spike_then_back_is_peaked_not_rising() -> None:
    m, tag, _ = analyze(SPIKE[:23])  # two points after the spike, still falling
    assert m.peak_ratio == pytest.approx(0.1)
    assert m.velocity < 0
    assert tag is TrendTag.PEAKED


def test_decay_is_peaked_and_scores_low() -> None:
    m, tag, score = analyze(DECAY)
    assert m.growth == pytest.approx(0.85**6 - 1)
    assert m.velocity < 0
    assert tag is TrendTag.PEAKED
    assert score < analyze(FLAT)[2]


def test_from_zero_is_breakout() -> None:
    m, tag, score = analyze(FROM_ZERO)
    assert m.breakout
    assert tag is TrendTag.BREAKOUT
    assert score >= 80


def test_single_point_is_new() -> None:
    m = momentum([42.0])
    assert classify(m, [42.0]) is TrendTag.NEW
    assert trending_score(momentum([])) == 0.0


def test_score_orders_the_shapes() -> None:
    scores = {name: analyze(s)[2] for name, s in {"step": STEP_NOW, "ramp": RAMP, "flat": FLAT, "decay": DECAY}.items()}
    assert scores["step"] > scores["ramp"] > scores["flat"] > scores["decay"]
    assert all(0 <= v <= 100 for v in scores.values())


def test_combined_series_forward_fills_sources() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    pts = [
        Point(t0, "reddit", 10, 1),
        Point(t0 + timedelta(hours=1), "reddit", 20, 1),
        Point(t0 + timedelta(hours=1), "google_trends", 100, 3),
        Point(t0 + timedelta(hours=2), "reddit", 30, 1),
    ]
    # each source relative to its own first volume, averaged, in reddit's units: reddit x2 and x3,
    # google (seen once, forward filled) x1
    assert combined_series(pts) == [10, 15, 20]


def test_a_second_source_in_other_units_is_not_growth() -> None:
    # the case: a CSV trend at 145, then TikTok's 12,000 views of it ("+10021 % exploding")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    pts = [Point(t0 + timedelta(hours=i), "csv", 145, 1) for i in range(6)]
    pts.append(Point(t0 + timedelta(hours=6), "tiktok", 12_000, 1))
    series = combined_series(pts)
    assert series == [145.0] * 7
    m, tag, _score = analyze(series)
    assert m.growth == 0 and tag.value != "exploding"


def test_growth_in_either_source_shows_in_its_own_units() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    pts = [Point(t0, "csv", 100, 1), Point(t0, "tiktok", 10_000, 1),
           Point(t0 + timedelta(hours=1), "tiktok", 30_000, 1)]  # tiktok tripled, csv flat
    assert combined_series(pts) == [100.0, 200.0]


# -- correlation -------------------------------------------------------------------
def test_ranks_with_ties_and_spearman_known_values() -> None:
    assert ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 400]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman(FLAT[:5], [1, 2, 3, 4, 5]) == 0.0  # constant side


def test_comovement_uses_first_differences_not_levels() -> None:
    a = [1.0, 3.0, 2.0, 5.0, 4.0, 8.0, 6.0, 9.0]
    b = [v * 10 + 100 for v in a]
    assert comovement(a, b) == pytest.approx(1.0)
    # two ramps share a trend but their differences are constant: no co-movement claimed
    assert comovement(RAMP, [2 * v for v in RAMP]) == 0.0
    assert diffs([1, 4, 9]) == [3, 5]
    # a decay and a take-off have rising difference ranks, but they move in opposite directions
    assert spearman(diffs(DECAY[-10:]), diffs(FROM_ZERO[-10:])) > 0.5
    assert comovement(DECAY[-10:], FROM_ZERO[-10:]) == 0.0


def test_lag_shows_which_series_leads() -> None:
    base = [0.0, 5, 1, 8, 2, 9, 3, 12, 1, 7, 4, 15, 2, 6, 3, 11, 5, 10, 2, 8]
    follower = [0.0, 0.0, *base[:-2]]  # the same moves two steps later
    res = lagged_comovement(base, follower, max_lag=3)
    assert res.lag == 2 and res.leader == "a"
    assert res.correlation == pytest.approx(1.0)
    assert lagged_comovement(follower, base, max_lag=3).lag == -2


def test_text_similarity() -> None:
    assert text_similarity("Taylor Swift tour", "taylor swift") > 0.6
    assert text_similarity("Taylor Swift", "quantum computing") < 0.1
    assert text_similarity("", "anything") == 0.0


def test_comovement_index_matches_direct_spearman() -> None:
    series = {
        "a": [1.0, 3, 2, 5, 4, 8, 6, 9, 7, 10],
        "b": [10.0, 30, 20, 50, 40, 80, 60, 90, 70, 100],
        "c": [10.0, 9, 11, 8, 12, 7, 13, 6, 14, 5],
        "flat": [5.0] * 10,
    }
    idx = CoMovementIndex(series, length=10)
    assert idx.rho("a", "b") == pytest.approx(comovement(series["a"], series["b"]))
    assert idx.rho("a", "c") == pytest.approx(comovement(series["a"], series["c"]))
    assert "flat" not in idx and len(idx) == 3
    assert [k for k, _ in idx.top("a", n=3)] == ["b"]


def test_related_ranks_text_and_comovement() -> None:
    a = [1.0, 3, 2, 5, 4, 8, 6, 9, 7, 10]
    out = related(
        "k1",
        "Taylor Swift",
        a,
        [
            ("k2", "Taylor Swift tickets", [5.0] * 10),
            ("k3", "Eras tour", [v * 3 for v in a]),
            ("k4", "Weather", [10.0, 9, 11, 8, 12, 7, 13, 6, 14, 5]),
        ],
    )
    keys = [r.key for r in out]
    assert set(keys) == {"k2", "k3"}
    assert next(r for r in out if r.key == "k3").comovement == pytest.approx(1.0)


# -- template matching ------------------------------------------------------------------
def test_match_templates_by_category_tags_and_text() -> None:
    templates = [
        TemplateInfo("t1", "Fan Quiz", category="entertainment", tags=("music", "quiz", "taylor")),
        TemplateInfo("t2", "Wallpaper Pack", category="personalization", tags=("wallpaper", "ai")),
        TemplateInfo("t3", "Budget Tracker", category="finance", tags=("money",)),
    ]
    out = match_templates("Taylor Swift", "entertainment", templates)
    assert [m.template_id for m in out] == ["t1"]
    assert "category entertainment" in out[0].reasons
    out = match_templates("AI wallpapers", "", templates)
    assert out[0].template_id == "t2"
    assert any(r.startswith("tags") for r in out[0].reasons)
    assert match_templates("quantum chromodynamics", "", templates) == []


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_series = st.lists(st.integers(min_value=0, max_value=6).map(float), min_size=4, max_size=30)


@settings(max_examples=200, deadline=None)
@given(a=_series, b=_series)
def test_packed_index_equals_direct_spearman_with_ties_and_short_series(a: list[float], b: list[float]) -> None:
    idx = CoMovementIndex({"a": a, "b": b}, length=30)
    if "a" not in idx or "b" not in idx:
        return  # constant differences: no correlation claimed
    n = min(len(a), len(b))
    if len(a) == len(b):
        assert idx.rho("a", "b") == pytest.approx(spearman(diffs(a), diffs(b)), abs=1e-9)
    assert -1 - 1e-9 <= idx.rho("a", "b") <= 1 + 1e-9
    assert idx.rho("a", "a") == pytest.approx(1.0)
    assert n >= 4


def test_source_leads_shows_which_source_picked_the_topic_up_first() -> None:
    from app.trends.correlate import aligned_source_series, source_leads

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    reddit = [0, 0, 5, 40, 90, 160, 200, 230, 250, 260]
    google = [0, 0, 0, 0, 50, 400, 900, 1600, 2000, 2300]  # the same rise, two syncs later
    pts = [Point(t0 + timedelta(hours=i), "reddit", v, 1) for i, v in enumerate(reddit) if v]
    pts += [Point(t0 + timedelta(hours=i), "google_trends", v, 1) for i, v in enumerate(google) if v]
    times, series = aligned_source_series(pts)
    assert len(times) == 8 and series["google_trends"][:2] == [0.0, 0.0]  # zero before Google saw it
    (lead,) = source_leads(pts)
    assert (lead.a, lead.b) == ("google_trends", "reddit")
    assert lead.lag == -2 and lead.leader == "reddit"
    assert source_leads(pts[:3]) == []  # too little history to say
