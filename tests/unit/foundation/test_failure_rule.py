"""The one rule for a failing outside party (app/failures.py): failures in a row, rest, recovery."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.failures import FailureRun, Growth, RestPolicy, Standing

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FIXED = RestPolicy(threshold=3, base=300.0, cap=300.0, growth=Growth.FIXED)
DOUBLING = RestPolicy(threshold=1, base=60.0, cap=6 * 3600.0, growth=Growth.EXPONENTIAL)


def failed(policy: RestPolicy, times: int, now: datetime = T0) -> FailureRun:
    run = FailureRun()
    for _ in range(times):
        run = run.after_failure(policy, now, "boom")
    return run


def test_a_new_party_is_ok_and_not_resting() -> None:
    assert FailureRun().standing(FIXED) is Standing.OK
    assert not FailureRun().is_resting(T0)


def test_failures_below_the_threshold_degrade_without_rest() -> None:
    run = failed(FIXED, 2)
    assert (run.failures, run.standing(FIXED), run.resting_until) == (2, Standing.DEGRADED, None)


def test_the_threshold_failure_rests_for_the_fixed_base() -> None:
    run = failed(FIXED, 3)
    assert run.standing(FIXED) is Standing.UNHEALTHY
    assert run.resting_until == T0 + timedelta(seconds=300)


def test_a_fixed_rest_does_not_grow_with_more_failures() -> None:
    assert FIXED.rest_seconds(3) == FIXED.rest_seconds(9) == 300.0


def test_an_exponential_rest_doubles_per_failure_from_the_threshold() -> None:
    assert [DOUBLING.rest_seconds(n) for n in (1, 2, 3, 4)] == [60.0, 120.0, 240.0, 480.0]


def test_an_exponential_rest_stops_at_the_cap() -> None:
    assert DOUBLING.rest_seconds(10_000) == 6 * 3600.0


def test_retry_after_longer_than_the_rest_wins() -> None:
    assert DOUBLING.rest_seconds(1, retry_after=900.0) == 900.0


def test_retry_after_shorter_than_the_rest_is_ignored() -> None:
    assert DOUBLING.rest_seconds(3, retry_after=5.0) == 240.0


def test_retry_after_below_the_threshold_does_not_rest() -> None:
    assert FIXED.rest_seconds(1, retry_after=900.0) is None


def test_resting_ends_when_its_time_has_come() -> None:
    run = failed(DOUBLING, 1)
    assert run.is_resting(T0 + timedelta(seconds=59))
    assert not run.is_resting(T0 + timedelta(seconds=60))


def test_a_later_failure_never_ends_a_longer_rest_asked_for_earlier() -> None:
    long = FailureRun().after_failure(DOUBLING, T0, "429", retry_after=3600.0)
    again = long.after_failure(DOUBLING, T0 + timedelta(seconds=10), "503")
    assert again.resting_until == T0 + timedelta(seconds=3600)


def test_the_rest_left_counts_down_to_zero() -> None:
    run = failed(DOUBLING, 2)
    assert run.rest_left(T0 + timedelta(seconds=20)) == 100.0
    assert run.rest_left(T0 + timedelta(hours=1)) == 0.0


def test_a_success_clears_the_run() -> None:
    assert failed(FIXED, 5).after_success() == FailureRun()


def test_a_failure_keeps_its_error() -> None:
    assert FailureRun().after_failure(FIXED, T0, "connection refused").last_error == "connection refused"


@pytest.mark.parametrize(("threshold", "base", "cap"), [(0, 1.0, 1.0), (1, 0.0, 1.0), (1, 2.0, 1.0)])
def test_a_policy_that_could_never_rest_sensibly_is_refused(threshold: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError, match="rest policy"):
        RestPolicy(threshold=threshold, base=base, cap=cap, growth=Growth.FIXED)


policies = st.builds(
    RestPolicy,
    threshold=st.integers(1, 5),
    base=st.floats(0.001, 1000.0),
    cap=st.floats(1000.0, 100_000.0),
    growth=st.sampled_from(Growth),
)
# a sequence of outcomes: None is a success, a float is a failure with that Retry-After (or none when < 0),
# each a number of seconds after the previous one (the clock may step back)
steps = st.lists(st.tuples(st.floats(-100.0, 10_000.0), st.one_of(st.none(), st.floats(-1.0, 50_000.0))),
                 max_size=40)


def replay(policy: RestPolicy, outcomes: list[tuple[float, float | None]]) -> list[FailureRun]:
    run, now, runs = FailureRun(), T0, [FailureRun()]
    for delay, outcome in outcomes:
        now += timedelta(seconds=delay)
        if outcome is None:
            run = run.after_success()
        else:
            run = run.after_failure(policy, now, "boom", outcome if outcome >= 0 else None)
        runs.append(run)
    return runs


@given(policies, steps)
def test_failures_are_never_negative(policy: RestPolicy, outcomes: list[tuple[float, float | None]]) -> None:
    assert all(run.failures >= 0 for run in replay(policy, outcomes))


@given(policies, steps)
def test_resting_until_never_shrinks_within_a_failure_run(policy: RestPolicy,
                                                          outcomes: list[tuple[float, float | None]]) -> None:
    runs = replay(policy, outcomes)
    for before, after in itertools.pairwise(runs):
        if after.failures > before.failures and before.resting_until is not None:
            assert after.resting_until is not None and after.resting_until >= before.resting_until


@given(policies, steps)
def test_a_success_always_resets(policy: RestPolicy, outcomes: list[tuple[float, float | None]]) -> None:
    runs = replay(policy, outcomes)
    for (_, outcome), run in zip(outcomes, runs[1:], strict=True):
        if outcome is None:
            assert run == FailureRun() and run.standing(policy) is Standing.OK and not run.is_resting(T0)


@given(policies, st.integers(1, 200), st.one_of(st.none(), st.floats(0.0, 50_000.0)))
def test_a_rest_is_within_the_cap_unless_the_party_asked_for_longer(policy: RestPolicy, failures: int,
                                                                   retry_after: float | None) -> None:
    seconds = policy.rest_seconds(failures, retry_after)
    if failures < policy.threshold:
        assert seconds is None
    else:
        assert seconds is not None and policy.base <= seconds <= max(policy.cap, retry_after or 0.0)
