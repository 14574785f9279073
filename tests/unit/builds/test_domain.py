"""Pure rules of the builds area: states, versions, progress, ETA, stats."""

from __future__ import annotations

import itertools

import pytest

from app.builds.model import BuildState, Platform, can_transition, check_alias, check_transition, normalize_fingerprint
from app.builds.outcome import ACTIVE_STATES, Outcome
from app.builds.progress import (
    DIRECT_STEPS,
    StepPlan,
    compute_stats,
    eta_seconds,
    expected_duration,
    format_seconds,
    percentile,
)
from app.builds.version import MAX_VERSION_CODE, SemVer, next_version_code
from app.errors import ConflictError, UserError


def test_happy_path_transitions_are_allowed() -> None:
    path = [BuildState.QUEUED, BuildState.RUNNING, BuildState.BUILT, BuildState.SIGNED, BuildState.DEPLOYED]
    for a, b in itertools.pairwise(path):
        assert can_transition(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (BuildState.QUEUED, BuildState.SIGNED),
        (BuildState.FAILED, BuildState.RUNNING),
        (BuildState.CANCELLED, BuildState.QUEUED),
        (BuildState.SIGNED, BuildState.FAILED),
        (BuildState.RUNNING, BuildState.DEPLOYED),
    ],
)
def test_illegal_transitions_raise(a: BuildState, b: BuildState) -> None:
    assert not can_transition(a, b)
    with pytest.raises(ConflictError, match=f"{a.value} build cannot become {b.value}"):
        check_transition(a, b)


def test_every_active_state_can_be_cancelled() -> None:
    for s in ACTIVE_STATES:
        assert can_transition(s, BuildState.CANCELLED)


def test_semver_parse_and_order() -> None:
    v = SemVer.parse("1.4.2-beta.1+build.7")
    assert (v.major, v.minor, v.patch, v.prerelease, v.build) == (1, 4, 2, "beta.1", "build.7")
    assert str(v) == "1.4.2-beta.1+build.7"
    assert SemVer.parse("1.10.0") > SemVer.parse("1.9.9")
    for bad in ["1.2", "01.2.3", "1.2.3.4", "v1.2.3", "", "1.2.x"]:
        with pytest.raises(UserError, match="semantic version"):
            SemVer.parse(bad)


def test_version_code_is_derived_and_always_increases() -> None:
    assert next_version_code(SemVer.parse("1.2.3"), None) == 10203
    assert next_version_code(SemVer.parse("1.2.3"), 10203) == 10204  # same version built again
    assert next_version_code(SemVer.parse("1.0.0"), 10500) == 10501  # a lower version never lowers the code
    assert next_version_code(SemVer.parse("2.0.0"), 10501) == 20000
    assert next_version_code(SemVer.parse("0.0.0"), None) == 1
    assert SemVer.parse("1.200.5").base_code() == 1_200_005
    with pytest.raises(UserError, match="limit"):
        next_version_code(SemVer.parse("1.0.0"), MAX_VERSION_CODE)


def test_platform_alias_fingerprint_validation() -> None:
    assert Platform.parse(" AAB ") is Platform.AAB
    with pytest.raises(UserError, match="apk, aab, web"):
        Platform.parse("ipa")
    assert check_alias("upload-2024") == "upload-2024"
    with pytest.raises(UserError, match="invalid key alias"):
        check_alias("Bad Alias")
    fp = "AB:" * 31 + "CD"
    assert normalize_fingerprint(fp) == "ab" * 31 + "cd"
    with pytest.raises(UserError):
        normalize_fingerprint("abc")


def test_step_plan_percentages() -> None:
    plan = StepPlan(DIRECT_STEPS[Platform.APK])
    assert plan.percent("prepare") == 0.0
    assert plan.percent("done") == 100.0
    mids = [plan.percent(s, 0.5) for s in plan.names]
    assert mids == sorted(mids) and 0 < mids[0] < mids[-1] < 100


def test_eta_from_past_durations_and_extrapolation() -> None:
    assert expected_duration([10, 12, 100, 11]) == 11.5
    assert expected_duration([]) is None
    assert eta_seconds(4.0, 0.5, [10.0, 10.0]) == 6.0
    # no history: extrapolated from progress
    assert eta_seconds(5.0, 0.25, []) == pytest.approx(15.0)
    assert eta_seconds(1.0, 0.0, []) is None
    # running longer than usual: never negative
    eta = eta_seconds(30.0, 0.9, [10.0])
    assert eta is not None and eta >= 0
    assert format_seconds(None) == "-"
    assert format_seconds(3.25) == "3.2s"
    assert format_seconds(125) == "2m 05s"


def test_stats_success_rate_mean_p95() -> None:
    ok = Outcome.SUCCEEDED
    rows = [(ok, float(d)) for d in range(1, 21)] + [(Outcome.FAILED, 2.0), (Outcome.CANCELLED, None), (ok, 30.0)]
    st = compute_stats("quotes-daily", "apk", rows)
    assert st.builds == 23 and st.succeeded == 21 and st.failed == 1 and st.cancelled == 1
    assert st.success_rate == pytest.approx(21 / 22)
    assert st.p95_s == 20.0
    assert st.mean_s == pytest.approx((210 + 30) / 21)
    assert percentile([5.0], 95) == 5.0
    empty = compute_stats("x", "web", [])
    assert empty.success_rate is None and empty.mean_s is None
