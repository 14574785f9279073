"""Events of the workflows area. Every one carries the run id as its correlation id."""

from __future__ import annotations

import dataclasses
from typing import Any

from app.events import Event, event_dataclass, event_type


@event_dataclass
class WorkflowEvent(Event):
    source: str = "workflows"
    run_id: str = ""
    workflow: str = ""


@event_type("workflow.imported")
@event_dataclass
class WorkflowImported(WorkflowEvent):
    version: int = 1
    origin: str = ""


@event_type("workflow.started")
@event_dataclass
class WorkflowStarted(WorkflowEvent):
    inputs: dict[str, Any] = dataclasses.field(default_factory=dict)
    status: str = "running"
    rerun_of: str | None = None
    from_step: str | None = None


@event_type("workflow.resumed")
@event_dataclass
class WorkflowResumed(WorkflowEvent):
    status: str = "running"
    step: str | None = None


@event_type("workflow.step_started")
@event_dataclass
class StepStarted(WorkflowEvent):
    step: str = ""
    action: str = ""
    attempt: int = 1
    inputs: dict[str, Any] = dataclasses.field(default_factory=dict)  # resolved from the run's context


@event_type("workflow.step_output_recorded")
@event_dataclass
class StepOutputRecorded(WorkflowEvent):
    """A running step remembered part of its output (what its undo needs) before it ended."""

    step: str = ""
    values: dict[str, Any] = dataclasses.field(default_factory=dict)


@event_type("workflow.step_succeeded")
@event_dataclass
class StepSucceeded(WorkflowEvent):
    step: str = ""
    attempt: int = 1
    output: dict[str, Any] = dataclasses.field(default_factory=dict)
    reused: bool = False


@event_type("workflow.step_failed")
@event_dataclass
class StepFailed(WorkflowEvent):
    step: str = ""
    attempt: int = 1
    error: str = ""
    error_type: str = ""
    will_retry: bool = False
    retry_in: float = 0.0


@event_type("workflow.step_skipped")
@event_dataclass
class StepSkipped(WorkflowEvent):
    step: str = ""
    condition: str = ""
    reused: bool = False  # a re-run keeps the skip of the run it re-runs


@event_type("workflow.step_cancelled")
@event_dataclass
class StepCancelled(WorkflowEvent):
    step: str = ""


@event_type("workflow.compensating")
@event_dataclass
class StepCompensating(WorkflowEvent):
    step: str = ""
    action: str = ""


@event_type("workflow.compensated")
@event_dataclass
class StepCompensated(WorkflowEvent):
    step: str = ""
    ok: bool = True
    error: str = ""
    attempts: int = 0


@event_type("workflow.completed")
@event_dataclass
class WorkflowCompleted(WorkflowEvent):
    duration: float = 0.0


@event_type("workflow.failed")
@event_dataclass
class WorkflowFailed(WorkflowEvent):
    status: str = "failed"
    step: str = ""
    error: str = ""


@event_type("workflow.run_compensated")
@event_dataclass
class WorkflowCompensated(WorkflowEvent):
    """A compensation someone asked for ended (not a failure of the run: it may have succeeded
    before). ``after``: the run's status when it was asked; ``duration``: the undo's own time."""

    status: str = "compensated"
    after: str = ""
    duration: float = 0.0
    error: str = ""


@event_type("workflow.cancelled")
@event_dataclass
class WorkflowCancelled(WorkflowEvent):
    step: str | None = None
    reason: str = ""  # empty: the user cancelled it


@event_type("workflow.cancel_requested")
@event_dataclass
class WorkflowCancelRequested(WorkflowEvent):
    """Another process asked the run's owner to cancel it; the owner does (``workflow.cancelled``)."""


@event_type("workflow.superseded")
@event_dataclass
class WorkflowSuperseded(WorkflowEvent):
    """The run was re-run as run ``by``: act on that one."""

    by: str = ""


@event_type("workflow.interrupted")
@event_dataclass
class WorkflowInterrupted(WorkflowEvent):
    step: str | None = None
    phase: str = "forward"
    cause: str = "process_stopped"  # app.workflows.model.InterruptCause


@event_type("workflow.notified")
@event_dataclass
class WorkflowNotified(WorkflowEvent):
    """A ``notify`` step: the panel shows it as a desktop notification, the CLI prints it."""

    step: str = ""
    title: str = ""
    message: str = ""
    level: str = "info"


@event_type("workflow.approval_requested")
@event_dataclass
class ApprovalRequested(WorkflowEvent):
    step: str = ""
    message: str = ""


@event_type("workflow.approval_given")
@event_dataclass
class ApprovalGiven(WorkflowEvent):
    step: str = ""
    approved: bool = True
    note: str = ""
