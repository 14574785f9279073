"""Run and step statuses, and the state a run's persisted history replays to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPENSATING = "compensating"
    INTERRUPTED = "interrupted"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a step failed and there was nothing to undo
    COMPENSATED = "compensated"  # a step failed and every completed step was undone
    COMPENSATION_FAILED = "compensation_failed"  # ... and at least one undo failed too
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in FINAL_RUN_STATUSES

    @property
    def active(self) -> bool:
        return self in {RunStatus.PENDING, RunStatus.RUNNING, RunStatus.COMPENSATING}


FINAL_RUN_STATUSES = frozenset(
    {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.COMPENSATED, RunStatus.COMPENSATION_FAILED, RunStatus.CANCELLED}
)


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


class EngineKind(StrEnum):
    """What runs workflows: the in-process engine (the default) or Temporal workers (team mode)."""

    LOCAL = "local"
    TEMPORAL = "temporal"


class Phase(StrEnum):
    FORWARD = "forward"
    COMPENSATE = "compensate"


@dataclass
class StepState:
    status: StepStatus = StepStatus.PENDING
    attempts: int = 0


@dataclass
class RunState:
    """What a run looks like; built from the database or replayed from its events."""

    status: RunStatus = RunStatus.PENDING
    steps: dict[str, StepState] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "steps": {k: (v.status.value, v.attempts) for k, v in self.steps.items()},
        }


def replay(events: Iterable[tuple[str, Mapping[str, Any]]], step_names: Iterable[str]) -> RunState:
    """Fold a run's ``workflow.*`` events (type, payload), oldest first, into its state.

    Used to check that the persisted history tells the same story as the tables, and to
    rebuild a run's state from the event log alone.
    """
    state = RunState(steps={n: StepState() for n in step_names})

    def step(payload: Mapping[str, Any]) -> StepState:
        return state.steps.setdefault(str(payload.get("step", "")), StepState())

    for type_, p in events:
        kind = type_.removeprefix("workflow.")
        if kind in {"started", "resumed"}:
            state.status = RunStatus(p.get("status", RunStatus.RUNNING.value))
        elif kind == "step_started":
            s = step(p)
            s.status = StepStatus.RUNNING
            s.attempts = int(p.get("attempt", s.attempts + 1))
        elif kind == "step_succeeded":
            s = step(p)
            s.status = StepStatus.SUCCEEDED
            s.attempts = int(p.get("attempt", s.attempts))
        elif kind == "step_failed":
            s = step(p)
            s.attempts = int(p.get("attempt", s.attempts))
            s.status = StepStatus.RUNNING if p.get("will_retry") else StepStatus.FAILED
        elif kind == "step_skipped":
            step(p).status = StepStatus.SKIPPED
        elif kind == "step_cancelled":
            step(p).status = StepStatus.CANCELLED
        elif kind == "compensating":
            state.status = RunStatus.COMPENSATING
            step(p).status = StepStatus.COMPENSATING
        elif kind == "compensated":
            step(p).status = StepStatus.COMPENSATED if p.get("ok") else StepStatus.COMPENSATION_FAILED
        elif kind == "completed":
            state.status = RunStatus.SUCCEEDED
        elif kind in {"failed", "run_compensated"}:
            state.status = RunStatus(p.get("status", RunStatus.FAILED.value))
        elif kind == "cancelled":
            state.status = RunStatus.CANCELLED
        elif kind == "interrupted":
            state.status = RunStatus.INTERRUPTED
            name = p.get("step")
            if name and p.get("phase", Phase.FORWARD.value) == Phase.FORWARD.value:
                step(p).status = StepStatus.INTERRUPTED
    return state
