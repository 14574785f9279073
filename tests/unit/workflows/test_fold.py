"""The one place a run's state is decided: ``apply(state, event)``, a pure fold (no engine, no database)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.events import Event, SettingsChanged
from app.workflows import events as ev
from app.workflows.model import (
    RUN_INTERRUPTED_ERROR,
    InterruptCause,
    Phase,
    RunState,
    RunStatus,
    StepStatus,
    apply,
    replay,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STEPS = ("a", "b", "c")


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def started(step: str, attempt: int = 1, t: int = 1) -> ev.StepStarted:
    return ev.StepStarted(step=step, attempt=attempt, inputs={"n": attempt}, timestamp=at(t))


step_names = st.sampled_from(STEPS)
times = st.integers(0, 1000).map(at)
workflow_events: st.SearchStrategy[Event] = st.one_of(
    st.builds(ev.WorkflowStarted, timestamp=times),
    st.builds(ev.WorkflowResumed, status=st.sampled_from(["running", "compensating"]), timestamp=times),
    st.builds(ev.StepStarted, step=step_names, attempt=st.integers(1, 4), timestamp=times),
    st.builds(ev.StepOutputRecorded, step=step_names, values=st.dictionaries(st.sampled_from("xyz"), st.integers())),
    st.builds(ev.StepSucceeded, step=step_names, attempt=st.integers(1, 4), reused=st.booleans(), timestamp=times),
    st.builds(ev.StepFailed, step=step_names, attempt=st.integers(1, 4), error=st.text(max_size=5),
              will_retry=st.booleans(), timestamp=times),
    st.builds(ev.StepSkipped, step=step_names, timestamp=times),
    st.builds(ev.StepCancelled, step=step_names, timestamp=times),
    st.builds(ev.StepCompensating, step=step_names, timestamp=times),
    st.builds(ev.StepCompensated, step=step_names, ok=st.booleans(), attempts=st.integers(0, 3), timestamp=times),
    st.builds(ev.WorkflowCompleted, timestamp=times),
    st.builds(ev.WorkflowFailed, status=st.sampled_from(["failed", "compensated", "compensation_failed"]), timestamp=times),
    st.builds(ev.WorkflowCompensated, status=st.sampled_from(["compensated", "compensation_failed"]),
              after=st.sampled_from(["succeeded", "failed", "interrupted"]), timestamp=times),
    st.builds(ev.WorkflowCancelled, timestamp=times),
    st.builds(ev.WorkflowSuperseded, by=st.text(min_size=1, max_size=4)),
    st.builds(ev.WorkflowInterrupted, cause=st.sampled_from([c.value for c in InterruptCause]), timestamp=times),
    st.builds(ev.ApprovalGiven, step=step_names, approved=st.booleans(), note=st.text(max_size=5)),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])  # a loaded machine builds events slowly
@given(st.lists(workflow_events, max_size=20))
def test_apply_never_changes_the_state_it_is_given(events: list[Event]) -> None:
    state = RunState.initial(STEPS)
    for event in events:
        before = copy.deepcopy(state)
        after = apply(state, event)
        assert state == before
        state = after


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])  # a loaded machine builds events slowly
@given(st.lists(workflow_events, max_size=20))
def test_replay_is_the_fold_of_apply_over_the_history(events: list[Event]) -> None:
    state = RunState.initial(STEPS)
    for event in events:
        state = apply(state, event)
    assert replay(events, STEPS) == state


def test_an_event_of_another_area_leaves_the_state_as_it_is() -> None:
    state = replay([ev.WorkflowStarted(timestamp=at(0))], STEPS)
    assert apply(state, SettingsChanged(keys=("theme",))) is state


def test_a_start_makes_the_run_running_from_the_events_time() -> None:
    state = replay([ev.WorkflowStarted(timestamp=at(5))], STEPS)
    assert (state.status, state.phase, state.started_at) == (RunStatus.RUNNING, Phase.FORWARD, at(5))


def test_a_retried_failure_keeps_the_step_running_with_the_error_shown() -> None:
    state = replay([started("a"), ev.StepFailed(step="a", attempt=1, error="flaky", will_retry=True)], STEPS)
    assert (state.step("a").status, state.step("a").error, state.error) == (StepStatus.RUNNING, "flaky", None)


def test_a_final_failure_fails_the_step_and_names_it_on_the_run() -> None:
    state = replay([started("b"), ev.StepFailed(step="b", attempt=1, error="boom", timestamp=at(3))], STEPS)
    assert state.step("b").status is StepStatus.FAILED and state.step("b").ended_at == at(3)
    assert (state.error, state.failed_step) == ("b: boom", "b")


def test_a_new_attempt_clears_the_last_error_but_keeps_the_first_start_time() -> None:
    state = replay([started("a", 1, t=1), ev.StepFailed(step="a", attempt=1, error="x", will_retry=True),
                    started("a", 2, t=9)], STEPS)
    a = state.step("a")
    assert (a.attempts, a.error, a.started_at, a.inputs) == (2, None, at(1), {"n": 2})


def test_remembered_output_is_merged_into_the_step_output() -> None:
    state = replay([started("a"), ev.StepOutputRecorded(step="a", values={"build_id": "b1"}),
                    ev.StepOutputRecorded(step="a", values={"more": 1})], STEPS)
    assert state.step("a").output == {"build_id": "b1", "more": 1}


def test_a_process_found_dead_interrupts_the_running_step_and_says_so_on_the_run() -> None:
    state = replay([ev.WorkflowStarted(), started("a"), ev.WorkflowInterrupted(step="a")], STEPS)
    assert (state.status, state.step("a").status, state.error) == (
        RunStatus.INTERRUPTED, StepStatus.INTERRUPTED, RUN_INTERRUPTED_ERROR)


def test_closing_the_app_interrupts_the_run_without_changing_its_error() -> None:
    state = replay([ev.WorkflowStarted(), started("a"),
                    ev.WorkflowInterrupted(step="a", cause=InterruptCause.APP_CLOSED.value)], STEPS)
    assert state.error is None
    assert state.step("a").error == "interrupted: the app was closed during this step"


def test_resuming_forward_puts_the_interrupted_step_back_to_pending() -> None:
    state = replay([ev.WorkflowStarted(), started("a"), ev.WorkflowInterrupted(step="a"),
                    ev.WorkflowResumed(status="running", step="a")], STEPS)
    assert (state.status, state.step("a").status, state.error) == (RunStatus.RUNNING, StepStatus.PENDING, None)


def test_a_compensation_asked_for_after_success_says_why_until_it_ends() -> None:
    history = [ev.WorkflowStarted(), started("a"), ev.StepSucceeded(step="a"), ev.WorkflowCompleted(),
               ev.WorkflowResumed(status="compensating")]
    asked = replay(history, STEPS)
    assert (asked.status, asked.phase, asked.error, asked.ended_at) == (
        RunStatus.COMPENSATING, Phase.COMPENSATE, "compensation requested after succeeded", None)
    undone = replay([*history, ev.StepCompensating(step="a"), ev.StepCompensated(step="a", ok=True, attempts=1),
                     ev.WorkflowCompensated(status="compensated", after="succeeded")], STEPS)
    assert (undone.status, undone.error, undone.step("a").status) == (RunStatus.COMPENSATED, None, StepStatus.COMPENSATED)


def test_an_undo_that_fails_is_recorded_on_its_step() -> None:
    state = replay([ev.StepCompensating(step="a"), ev.StepCompensated(step="a", ok=False, error="gone", attempts=3,
                                                                      timestamp=at(7))], STEPS)
    a = state.step("a")
    assert (a.status, a.compensation_error, a.compensation_attempts, a.compensated_at) == (
        StepStatus.COMPENSATION_FAILED, "gone", 3, at(7))


def test_a_superseded_interrupted_run_is_cancelled_with_the_reason() -> None:
    state = replay([ev.WorkflowInterrupted(), ev.WorkflowSuperseded(by="new"),
                    ev.WorkflowCancelled(reason="superseded by re-run new")], STEPS)
    assert (state.status, state.superseded_by, state.error) == (RunStatus.CANCELLED, "new", "superseded by re-run new")


def test_an_approval_is_kept_by_step() -> None:
    state = replay([ev.ApprovalGiven(step="b", approved=False, note="not yet")], STEPS)
    assert state.signals == {"b": {"decision": "rejected", "note": "not yet"}}
