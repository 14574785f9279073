"""A Temporal run as the Workflows panel and the CLI show a run: from visibility and history.

:func:`run_row` maps a listed execution (status + memo) to the row ``workflow history`` shows;
:func:`fold_history` replays a run's history events (its step activities and the events it
recorded) into the same step rows the in-process engine stores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflow.v1 import PendingActivityInfo
from temporalio.client import WorkflowExecutionStatus
from temporalio.converter import DataConverter

from app.jsonvalue import as_int, as_object
from app.workflows.definition import parse_definition
from app.workflows.model import RunStatus, StepStatus
from services.workflows.rows import RunRow, StepRow, row_duration, row_time
from services.workflows.temporal.shapes import (
    COMPENSATE_STEP,
    RECORD,
    RUN_STEP,
    RecordCall,
    RunInput,
    StepCall,
    StepResult,
)

ENGINE = "temporal"


def run_status(status: WorkflowExecutionStatus | None, memo_status: object) -> RunStatus:
    """Temporal's execution status, refined by the status the workflow keeps in its memo."""
    known = {s.value for s in RunStatus}
    memo = RunStatus(memo_status) if memo_status in known else None
    if status is WorkflowExecutionStatus.RUNNING or status is None:
        return memo if memo in (RunStatus.RUNNING, RunStatus.COMPENSATING) else RunStatus.RUNNING
    if status is WorkflowExecutionStatus.COMPLETED:
        return memo if memo is not None and memo.final else RunStatus.SUCCEEDED
    if status is WorkflowExecutionStatus.CANCELED:
        return RunStatus.CANCELLED
    return RunStatus.FAILED  # failed, terminated, timed out: the workflow itself did not finish


def _text(value: object) -> str | None:
    """A memo's optional text: missing or empty is None."""
    return str(value) if value else None


def run_row(run_id: str, status: WorkflowExecutionStatus | None, memo: Mapping[str, object],
            start: datetime | None, close: datetime | None) -> RunRow:
    final = run_status(status, memo.get("status"))
    error = _text(memo.get("error"))
    if final is RunStatus.FAILED and status is not WorkflowExecutionStatus.COMPLETED and not error:
        error = f"the Temporal workflow {status.name.lower() if status else 'failed'}"
    return {
        "id": run_id,
        "workflow": str(memo.get("workflow", "")),
        "version": as_int(memo.get("version", 1), f"run {run_id}'s memo version"),
        "status": final.value,
        "phase": str(memo.get("phase", "forward")),
        "inputs": dict(as_object(memo.get("inputs") or {}, f"run {run_id}'s memo inputs")),
        "error": error,
        "failed_step": _text(memo.get("failed_step")),
        "created_at": row_time(start),
        "started_at": row_time(start),
        "ended_at": row_time(close),
        "duration": row_duration(start, close),
        "rerun_of": _text(memo.get("rerun_of")),
        "superseded_by": None,
        "cancel_requested": False,
        "engine": ENGINE,
    }


def _step_row(position: int, name: str, action: str, compensation: str | None) -> StepRow:
    return {
        "position": position, "name": name, "action": action, "status": StepStatus.PENDING.value, "attempts": 0,
        "inputs": None, "output": None, "error": None, "error_type": None, "started_at": None, "ended_at": None,
        "duration": None, "reused": False, "compensation_action": compensation, "compensation_error": None,
        "compensation_attempts": 0, "compensated_at": None,
        "worker": None,  # the identity (pid@host) of the Temporal worker that ran its last attempt
    }


def _attempt(row: StepRow, activity: str, attempt: int, worker: str) -> None:
    """The attempt the step's activity (its run, or its undo) is on, and the worker running it."""
    if activity == RUN_STEP:
        row["attempts"] = attempt
    else:
        row["compensation_attempts"] = attempt
    row["worker"] = worker or None


def _when(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)


async def fold_history(converter: DataConverter, events: Sequence[HistoryEvent],
                       pending: Sequence[PendingActivityInfo],
                       rows: Sequence[StepRow] = ()) -> tuple[RunInput | None, list[StepRow]]:
    """The run's input and its step rows, from its history (and the activities still pending).

    ``rows``: the run's step rows so far, when folding the history of its undo workflow onto them.
    """
    run: RunInput | None = None
    steps: dict[str, StepRow] = {r["name"]: r for r in rows}
    scheduled: dict[int, tuple[str, StepCall]] = {}  # scheduled event id -> (activity type, call)
    by_activity_id: dict[str, tuple[str, StepCall]] = {}

    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED and not rows:
            attrs = event.workflow_execution_started_event_attributes
            (run,) = await converter.decode(attrs.input.payloads, [RunInput])
            defn = parse_definition(run.definition, source=f"run {run.run_id}")
            steps = {s.name: _step_row(i, s.name, s.action, s.compensation.action if s.compensation else None)
                     for i, s in enumerate(defn.steps)}
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            sa = event.activity_task_scheduled_event_attributes
            name = sa.activity_type.name
            if name == RECORD:
                (rec,) = await converter.decode(sa.input.payloads, [RecordCall])
                _apply_notices(steps, rec, _when(event))
                continue
            (call,) = await converter.decode(sa.input.payloads, [StepCall])
            scheduled[event.event_id] = by_activity_id[sa.activity_id] = (name, call)
            row = steps.get(call.step)
            if row is None:
                continue
            if name == RUN_STEP:
                row.update({"status": StepStatus.RUNNING.value, "inputs": call.inputs, "started_at": row["started_at"] or row_time(_when(event))})
            elif name == COMPENSATE_STEP:
                row.update({"status": StepStatus.COMPENSATING.value})
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            sa2 = event.activity_task_started_event_attributes
            found = scheduled.get(sa2.scheduled_event_id)
            if found and found[1].step in steps:
                _attempt(steps[found[1].step], found[0], sa2.attempt, sa2.identity)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            ca = event.activity_task_completed_event_attributes
            found = scheduled.get(ca.scheduled_event_id)
            if found and found[1].step in steps:
                row = steps[found[1].step]
                if found[0] == RUN_STEP:
                    (result,) = await converter.decode(ca.result.payloads, [StepResult])
                    row.update({"status": StepStatus.SUCCEEDED.value, "output": result.output, "attempts": result.attempt,
                               "ended_at": row_time(_when(event)), "error": None, "error_type": None})
                else:
                    row.update({"status": StepStatus.COMPENSATED.value, "compensated_at": row_time(_when(event))})
        elif kind in (EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT):
            if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
                fa = event.activity_task_failed_event_attributes
                sched_id, failure = fa.scheduled_event_id, fa.failure
            else:
                ta = event.activity_task_timed_out_event_attributes
                sched_id, failure = ta.scheduled_event_id, ta.failure
            found = scheduled.get(sched_id)
            if found and found[1].step in steps:
                row = steps[found[1].step]
                etype = failure.application_failure_info.type or ("TimeoutError" if failure.HasField("timeout_failure_info") else "Error")
                message = failure.message or etype
                if failure.cause.message and not failure.application_failure_info.type:
                    message = failure.cause.message
                if found[0] == RUN_STEP:
                    row.update({"status": StepStatus.FAILED.value, "error": message, "error_type": etype, "ended_at": row_time(_when(event))})
                else:
                    row.update({"status": StepStatus.COMPENSATION_FAILED.value, "compensation_error": f"{etype}: {message}",
                               "compensated_at": row_time(_when(event))})
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
            found = scheduled.get(event.activity_task_canceled_event_attributes.scheduled_event_id)
            if found and found[1].step in steps:
                steps[found[1].step].update({"status": StepStatus.CANCELLED.value, "error": "cancelled", "ended_at": row_time(_when(event))})

    for info in pending:  # a step in flight: its attempt so far, and why the last one failed
        found = by_activity_id.get(info.activity_id)
        if found and found[1].step in steps:
            _attempt(steps[found[1].step], found[0], info.attempt, info.last_worker_identity)
            if info.last_failure.message and found[0] == RUN_STEP:
                steps[found[1].step]["error"] = info.last_failure.message
    rows = sorted(steps.values(), key=lambda r: int(r["position"]))
    for row in rows:
        if row["started_at"] and row["ended_at"]:
            row["duration"] = row_duration(datetime.fromisoformat(row["started_at"]), datetime.fromisoformat(row["ended_at"]))
    return run, rows


def _apply_notices(steps: dict[str, StepRow], rec: RecordCall, when: datetime) -> None:
    """The step changes the workflow recorded itself (skips, reuses, approvals, undos it could not start)."""
    for notice in rec.notices:
        f = notice.fields
        row = steps.get(str(f.get("step") or ""))
        if row is None:
            continue
        kind = notice.type.removeprefix("workflow.")
        if kind == "step_skipped":
            row.update({"status": StepStatus.SKIPPED.value, "ended_at": row_time(when)})
        elif kind == "step_started":
            row.update({"status": StepStatus.RUNNING.value, "attempts": int(f.get("attempt", 1)), "started_at": row_time(when)})
        elif kind == "step_succeeded":
            row.update({"status": StepStatus.SUCCEEDED.value, "output": f.get("output") or {}, "attempts": int(f.get("attempt", 1)),
                       "reused": bool(f.get("reused")), "ended_at": row_time(when) if not f.get("reused") else None})
        elif kind == "step_failed":
            row.update({"status": StepStatus.FAILED.value, "error": f.get("error"), "error_type": f.get("error_type"), "ended_at": row_time(when)})
        elif kind == "step_cancelled":
            row.update({"status": StepStatus.CANCELLED.value, "error": "cancelled", "ended_at": row_time(when)})
        elif kind == "compensated" and not f.get("ok") and row["status"] == StepStatus.COMPENSATING.value:
            row.update({"status": StepStatus.COMPENSATION_FAILED.value, "compensation_error": f.get("error"), "compensated_at": row_time(when)})
