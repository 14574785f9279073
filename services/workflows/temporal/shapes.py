"""What crosses Temporal: the inputs of the generic workflow, its activities and its signal.

Plain dataclasses of JSON values (Temporal's default converter), importable inside the workflow
sandbox: nothing here does I/O or imports a service.

The JSON-valued fields stay ``dict[str, Any]``: Temporal's converter decodes each payload by these
type hints, and the recursive ``JsonValue`` alias has not been tried with it; the values are JSON
by construction (the engine's ``_jsonable``) and are narrowed where they are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WORKFLOW_TYPE = "TrendForgeRun"
#: the workflow that undoes a finished run's completed steps when someone asks (``workflow compensate``)
UNDO_WORKFLOW_TYPE = "TrendForgeUndo"
RUN_STEP = "trendforge.run_step"
COMPENSATE_STEP = "trendforge.compensate_step"
RECORD = "trendforge.record"
APPROVE_SIGNAL = "approve"

#: the step action the workflow itself performs: it waits for the approve signal
APPROVAL_ACTION = "wait_for_approval"


@dataclass
class ReusedStep:
    """A step of an earlier run whose result a re-run takes over."""

    status: str
    output: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0


@dataclass
class RunInput:
    run_id: str
    definition: dict[str, Any]
    inputs: dict[str, Any]
    #: action name -> the task queue its activity runs on (the starter knows each action's area)
    queues: dict[str, str]
    heartbeat_timeout: float = 30.0
    reuse: dict[str, ReusedStep] = field(default_factory=dict)
    rerun_of: str | None = None
    from_step: str | None = None


def undo_id(run_id: str) -> str:
    """The id of the one undo workflow a run may have: Temporal refuses a second one with this id."""
    return f"{run_id}-undo"


@dataclass
class UndoInput:
    """What undoing a finished run needs: its own input, its steps' statuses and recorded outputs."""

    run: RunInput
    statuses: dict[str, str]
    outputs: dict[str, dict[str, Any]]
    #: the run's status when the undo was asked for
    after: str
    #: the run's error, kept unless undoing a run that succeeded
    error: str = ""


@dataclass
class StepCall:
    run_id: str
    workflow: str
    step: str
    action: str
    inputs: dict[str, Any]
    #: the step's (or its compensation's) retry policy, as ``RetryPolicy`` fields
    retry: dict[str, Any] = field(default_factory=dict)
    heartbeat_every: float = 5.0


@dataclass
class StepResult:
    output: dict[str, Any]
    attempt: int


@dataclass
class Notice:
    """One workflow event to record: its type name (``workflow.step_skipped``...) and its fields."""

    type: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecordCall:
    run_id: str
    workflow: str
    notices: list[Notice]


@dataclass
class Approval:
    step: str
    approved: bool = True
    note: str = ""


@dataclass
class RunResult:
    status: str
    error: str = ""
    failed_step: str = ""
