"""Run and step statuses, and a run's state as the fold of its events: ``apply(state, event)``.

The engine decides events; this module alone decides what they do to a run (Temporal's shape:
the history is the truth, the state is derived). The stored rows are a projection of the state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict

from app.events import Event
from app.workflows import events as ev
from app.workflows.status import FINAL_RUN_STATUSES as FINAL_RUN_STATUSES
from app.workflows.status import RunStatus as RunStatus


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    COMPENSATING = "compensating"
    COMPENSATED = "compensated"
    COMPENSATION_FAILED = "compensation_failed"


class Phase(StrEnum):
    FORWARD = "forward"
    COMPENSATE = "compensate"


class InterruptCause(StrEnum):
    PROCESS_STOPPED = "process_stopped"  # found at start-up: the process that ran it is gone
    APP_CLOSED = "app_closed"  # the app was quit while it ran
    LEASE_LAPSED = "lease_lapsed"  # another machine ran it and stopped renewing its lease (team mode)


STEP_INTERRUPTED_ERROR = {
    InterruptCause.PROCESS_STOPPED: "interrupted: the process stopped during this step",
    InterruptCause.APP_CLOSED: "interrupted: the app was closed during this step",
    InterruptCause.LEASE_LAPSED: "interrupted: the machine running this step stopped renewing its lease",
}
RUN_INTERRUPTED_ERROR = "interrupted: the process running it stopped; resume, compensate or re-run it"
RUN_LEASE_LAPSED_ERROR = ("interrupted: the machine running it stopped renewing its lease; "
                          "resume, compensate or re-run it")


@dataclass(frozen=True)
class StepState:
    status: StepStatus = StepStatus.PENDING
    attempts: int = 0
    inputs: Mapping[str, Any] | None = None
    output: Mapping[str, Any] | None = None
    error: str | None = None
    error_type: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    reused: bool = False
    compensation_error: str | None = None
    compensation_attempts: int = 0
    compensated_at: datetime | None = None



class ApprovalDecision(TypedDict):
    """Someone's answer to a step waiting for approval, as the run keeps it per step."""

    decision: str  # "approved" or "rejected"
    note: str

@dataclass(frozen=True)
class RunState:
    """What a run looks like: the fold of its events (:func:`apply`); its rows are a projection of it."""

    status: RunStatus = RunStatus.PENDING
    phase: Phase = Phase.FORWARD
    steps: Mapping[str, StepState] = field(default_factory=dict)
    error: str | None = None
    failed_step: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    superseded_by: str | None = None
    signals: Mapping[str, ApprovalDecision] = field(default_factory=dict)

    @classmethod
    def initial(cls, step_names: Iterable[str]) -> RunState:
        return cls(steps={n: StepState() for n in step_names})

    def step(self, name: str) -> StepState:
        return self.steps[name]


def _with_step(state: RunState, name: str, **changes: Any) -> RunState:
    steps = dict(state.steps)
    steps[name] = replace(steps.get(name, StepState()), **changes)
    return replace(state, steps=steps)


def _steps_where(state: RunState, where: StepStatus, **changes: Any) -> dict[str, StepState]:
    return {n: replace(s, **changes) if s.status is where else s for n, s in state.steps.items()}


def apply(state: RunState, event: Event) -> RunState:
    """The next state of a run after ``event``. Pure: ``state`` is not changed; events of other
    kinds (or of no run) leave it as it is. The one place a run's state is decided."""
    if not isinstance(event, ev.WorkflowEvent):
        return state
    at = event.timestamp
    match event:
        case ev.WorkflowStarted():
            return replace(state, status=RunStatus(event.status), phase=Phase.FORWARD, started_at=at, ended_at=None)
        case ev.WorkflowResumed():
            status = RunStatus(event.status)
            if status is RunStatus.COMPENSATING:
                why = state.error or f"compensation requested after {state.status.value}"
                return replace(state, status=status, phase=Phase.COMPENSATE, error=why, ended_at=None)
            steps = _steps_where(state, StepStatus.INTERRUPTED, status=StepStatus.PENDING)
            return replace(state, status=status, error=None, ended_at=None, steps=steps)
        case ev.StepStarted():
            s = state.steps.get(event.step, StepState())
            return _with_step(state, event.step, status=StepStatus.RUNNING, attempts=event.attempt, inputs=event.inputs,
                              started_at=s.started_at or at, error=None, error_type=None)
        case ev.StepOutputRecorded():
            s = state.steps.get(event.step, StepState())
            return _with_step(state, event.step, output={**(s.output or {}), **event.values})
        case ev.StepSucceeded():
            return _with_step(state, event.step, status=StepStatus.SUCCEEDED, attempts=event.attempt,
                              output=event.output, reused=event.reused, ended_at=at)
        case ev.StepFailed():
            if event.will_retry:
                return _with_step(state, event.step, attempts=event.attempt, error=event.error, error_type=event.error_type)
            failed = _with_step(state, event.step, status=StepStatus.FAILED, attempts=event.attempt, error=event.error,
                                error_type=event.error_type, ended_at=at)
            return replace(failed, error=f"{event.step}: {event.error}", failed_step=event.step)
        case ev.StepSkipped():
            return _with_step(state, event.step, status=StepStatus.SKIPPED, reused=event.reused, ended_at=at)
        case ev.StepCancelled():
            return _with_step(state, event.step, status=StepStatus.CANCELLED, error="cancelled", ended_at=at)
        case ev.StepCompensating():
            undoing = _with_step(state, event.step, status=StepStatus.COMPENSATING, compensation_error=None)
            return replace(undoing, status=RunStatus.COMPENSATING, phase=Phase.COMPENSATE)
        case ev.StepCompensated():
            return _with_step(state, event.step,
                              status=StepStatus.COMPENSATED if event.ok else StepStatus.COMPENSATION_FAILED,
                              compensation_error=event.error or None, compensation_attempts=event.attempts,
                              compensated_at=at)
        case ev.WorkflowCompleted():
            return replace(state, status=RunStatus.SUCCEEDED, ended_at=at)
        case ev.WorkflowFailed():
            return replace(state, status=RunStatus(event.status), ended_at=at, error=event.error or state.error,
                           failed_step=event.step or state.failed_step)
        case ev.WorkflowCompensated():
            status = RunStatus(event.status)
            undid_a_good_run = status is RunStatus.COMPENSATED and event.after == RunStatus.SUCCEEDED.value
            return replace(state, status=status, ended_at=at, error=None if undid_a_good_run else state.error)
        case ev.WorkflowCancelled():
            return replace(state, status=RunStatus.CANCELLED, ended_at=at, error=event.reason or "cancelled by the user")
        case ev.WorkflowSuperseded():
            return replace(state, superseded_by=event.by)
        case ev.WorkflowInterrupted():
            cause = InterruptCause(event.cause)
            steps = _steps_where(state, StepStatus.RUNNING, status=StepStatus.INTERRUPTED,
                                 error=STEP_INTERRUPTED_ERROR[cause])
            run_error = {InterruptCause.PROCESS_STOPPED: RUN_INTERRUPTED_ERROR,
                         InterruptCause.LEASE_LAPSED: RUN_LEASE_LAPSED_ERROR}.get(cause, state.error)
            return replace(state, status=RunStatus.INTERRUPTED, steps=steps, error=run_error)
        case ev.ApprovalGiven():
            decision = ApprovalDecision(decision="approved" if event.approved else "rejected", note=event.note)
            return replace(state, signals={**state.signals, event.step: decision})
    return state


def replay(events: Iterable[Event], step_names: Iterable[str]) -> RunState:
    """Fold a run's events, oldest first, into its state (from the event log alone)."""
    state = RunState.initial(step_names)
    for event in events:
        state = apply(state, event)
    return state
