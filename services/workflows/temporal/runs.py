"""Workflow runs on Temporal: start, wait, cancel, approve, re-run; list and describe.

The run id is the Temporal workflow id (and every event's correlation id). Listing reads
Temporal's visibility (the status the workflow keeps in its memo); describing folds the run's
history. Resuming is Temporal's own: a step whose worker died is retried on another worker by
its retry policy, and the run goes on by itself.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from datetime import datetime

from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from app.errors import ConflictError, NotFoundError, UserError
from app.jsonvalue import JsonValue
from app.workflows.definition import WorkflowDefinition
from app.workflows.model import RunStatus, StepStatus
from services.actions import ActionRegistry
from services.workflows.rows import RunDetail, RunRow, output_of, row_duration, row_time
from services.workflows.temporal.config import QueueKind, TemporalConfig
from services.workflows.temporal.gateway import TemporalGateway
from services.workflows.temporal.history import fold_history, run_row, run_status
from services.workflows.temporal.shapes import (
    APPROVE_SIGNAL,
    UNDO_WORKFLOW_TYPE,
    WORKFLOW_TYPE,
    Approval,
    ReusedStep,
    RunInput,
    UndoInput,
    undo_id,
)

#: the step states an asked-for undo undoes (a finished Temporal run has no interrupted steps)
UNDOABLE = (StepStatus.SUCCEEDED.value, StepStatus.COMPENSATION_FAILED.value)


class TemporalRuns:
    def __init__(self, config: TemporalConfig, registry: ActionRegistry) -> None:
        self.config = config
        self.registry = registry
        self.gateway = TemporalGateway(config)

    def close(self) -> None:
        self.gateway.close()

    def _query(self, workflow_type: str = WORKFLOW_TYPE) -> str:
        return f"WorkflowType = '{workflow_type}' AND TaskQueue = '{self.config.queue(QueueKind.MAIN)}'"

    # -- starting ------------------------------------------------------------------------
    def start(self, defn: WorkflowDefinition, inputs: Mapping[str, JsonValue], *, rerun_of: str | None = None,
              from_step: str | None = None, reuse: Mapping[str, ReusedStep] | None = None) -> str:
        bound = self.registry.bind_run(defn, inputs)
        run_id = uuid.uuid4().hex
        run = RunInput(
            run_id=run_id, definition=dict(defn.raw), inputs=bound,
            queues={a: self.config.queue_for_area(self.registry.get(a).area) for a in sorted(defn.actions())},
            heartbeat_timeout=self.config.heartbeat_timeout, reuse=dict(reuse or {}), rerun_of=rerun_of, from_step=from_step,
        )
        memo = {"workflow": defn.name, "version": defn.version, "inputs": bound, "status": RunStatus.RUNNING.value,
                "phase": "forward", "rerun_of": rerun_of}

        async def go(client: Client) -> None:
            await client.start_workflow(WORKFLOW_TYPE, run, id=run_id, task_queue=self.config.queue(QueueKind.MAIN), memo=memo)

        self.gateway.call(go)
        return run_id

    async def wait(self, run_id: str) -> RunStatus:
        async def go(client: Client) -> None:
            with contextlib.suppress(WorkflowFailureError):  # cancelled (or the workflow failed): the status says which
                await client.get_workflow_handle(run_id).result()
                if await _undo_of(client, run_id) is not None:  # asked to be undone: wait for the undo too
                    await client.get_workflow_handle(undo_id(run_id)).result()

        await self.gateway.acall(go)
        return RunStatus(self.show(run_id)["status"])

    def rerun(self, run_id: str, defn: WorkflowDefinition, from_step: str, overrides: Mapping[str, JsonValue]) -> str:
        """A new run from ``from_step``, the earlier steps' results taken over from ``run_id``."""
        detail = self.show(run_id)
        status = RunStatus(detail["status"])
        if not status.final:
            raise ConflictError(f"run {run_id} is {status.value}; wait for it to finish or cancel it")
        idx = defn.index(from_step)
        rows = {s["name"]: s for s in detail["steps"]}
        reuse: dict[str, ReusedStep] = {}
        for s in defn.steps[:idx]:
            row = rows[s.name]
            if row["status"] not in (StepStatus.SUCCEEDED.value, StepStatus.SKIPPED.value):
                raise ConflictError(
                    f"step {s.name!r} is {row['status']} in run {run_id}, so its result cannot be reused; "
                    f"re-run from {s.name!r} or an earlier step"
                )
            reuse[s.name] = ReusedStep(row["status"], output_of(row), int(row["attempts"]))
        return self.start(defn, {**detail["inputs"], **overrides}, rerun_of=run_id, from_step=from_step, reuse=reuse)

    # -- acting on a run ------------------------------------------------------------------
    def cancel(self, run_id: str) -> str:
        self._require_running(run_id)
        self.gateway.call(lambda client: client.get_workflow_handle(run_id).cancel())
        return "requested"

    def approve(self, run_id: str, step: str, *, approved: bool, note: str) -> None:
        self._require_running(run_id)
        self.gateway.call(lambda client: client.get_workflow_handle(run_id).signal(APPROVE_SIGNAL, Approval(step, approved, note)))

    def _require_running(self, run_id: str) -> None:
        detail = self.describe(run_id)
        if RunStatus(detail["status"]).final:
            raise ConflictError(f"run {run_id} is already {detail['status']}")

    def compensate(self, run_id: str) -> str:
        """Undo a finished run's completed steps in reverse, by its one undo workflow (never twice)."""
        self.start_undo(run_id, self.undo_input(run_id))
        return run_id

    def undo_input(self, run_id: str) -> UndoInput:
        """What the run's undo needs, or why it cannot be undone (one line)."""
        run, detail = self._fold(run_id)
        status = RunStatus(detail["status"])
        if detail["undo"] is not None:
            raise ConflictError(f"run {run_id} is {status.value}: it was asked to be undone already, "
                                "and a run on Temporal is undone only once")
        if not status.final:
            raise ConflictError(f"run {run_id} is {status.value}; wait for it to finish or cancel it")
        steps = detail["steps"]
        if run is None or not any(s["compensation_action"] and s["status"] in UNDOABLE for s in steps):
            raise ConflictError(f"run {run_id} has nothing to compensate: no step that ran has a compensating action "
                                f"left to run; it stays {status.value}")
        return UndoInput(run, statuses={s["name"]: s["status"] for s in steps},
                         outputs={s["name"]: output_of(s) for s in steps},
                         after=status.value, error=str(detail["error"] or ""))

    def start_undo(self, run_id: str, undo: UndoInput) -> None:
        """Start the run's undo workflow; Temporal refuses a second one (two processes asking at once)."""
        memo = {"run_id": run_id, "status": RunStatus.COMPENSATING.value, "phase": "compensate"}

        async def go(client: Client) -> None:
            try:
                await client.start_workflow(UNDO_WORKFLOW_TYPE, undo, id=undo_id(run_id), memo=memo,
                                            task_queue=self.config.queue(QueueKind.MAIN),
                                            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
            except WorkflowAlreadyStartedError as exc:  # another process asked first
                raise ConflictError(f"run {run_id} is being undone or was undone already (by another request); "
                                    "a run on Temporal is undone only once") from exc

        self.gateway.call(go)

    def resume(self, run_id: str) -> str:
        detail = self.describe(run_id)
        raise ConflictError(
            f"run {run_id} is {detail['status']} on Temporal, which resumes runs by itself: a step whose worker "
            "stopped is retried on another worker by its retry policy; re-run it from a step instead"
        )

    # -- reading --------------------------------------------------------------------------
    def describe(self, run_id: str) -> RunRow:
        """The run's row (status, memo) without its steps."""

        async def go(client: Client) -> RunRow:
            desc = await _describe(client, run_id)
            return run_row(run_id, desc.status, await desc.memo(), desc.start_time, desc.close_time)

        return self.gateway.call(go)

    def show(self, run_id: str) -> RunDetail:
        return self._fold(run_id)[1]

    def _fold(self, run_id: str) -> tuple[RunInput | None, RunDetail]:
        """The run's input and its detail: its history folded, then its undo's (if it was asked to be undone)."""

        async def go(client: Client) -> tuple[RunInput | None, RunDetail]:
            desc = await _describe(client, run_id)
            handle = client.get_workflow_handle(run_id)
            events = [e async for e in handle.fetch_history_events()]
            run, steps = await fold_history(client.data_converter, events, list(desc.raw_description.pending_activities))
            out: RunDetail = {**run_row(run_id, desc.status, await desc.memo(), desc.start_time, desc.close_time),
                              "steps": steps, "live": desc.status is WorkflowExecutionStatus.RUNNING, "undo": None}
            undo = await _undo_of(client, run_id)
            if undo is not None:
                undo_events = [e async for e in client.get_workflow_handle(undo.id).fetch_history_events()]
                _, steps = await fold_history(client.data_converter, undo_events,
                                              list(undo.raw_description.pending_activities), rows=steps)
                _undone(out, undo.id, undo.status, await undo.memo(), undo.close_time)
                out["live"] = undo.status is WorkflowExecutionStatus.RUNNING
            out["steps"] = steps
            if run is not None and not out["workflow"]:
                out["workflow"] = str(run.definition.get("name", ""))
            return run, out

        folded: tuple[RunInput | None, RunDetail] = self.gateway.call(go)
        return folded

    def history(self, name: str | None = None, *, limit: int = 50, status: str | None = None) -> list[RunRow]:
        async def go(client: Client) -> list[RunRow]:
            undos = {}
            async for u in client.list_workflows(self._query(UNDO_WORKFLOW_TYPE), page_size=100):
                undos[u.id] = u
            rows: list[RunRow] = []
            async for wf in client.list_workflows(self._query(), page_size=max(limit, 10)):
                row = run_row(wf.id, wf.status, await wf.memo(), wf.start_time, wf.close_time)
                undo = undos.get(undo_id(wf.id))
                if undo is not None:
                    _undone(row, undo.id, undo.status, await undo.memo(), undo.close_time)
                if (name and row["workflow"] != name) or (status and row["status"] != status):
                    continue
                rows.append(row)
                if len(rows) >= limit:
                    break
            return rows

        return self.gateway.call(go)

    def resolve_id(self, prefix: str) -> str:
        """A unique prefix (6+ characters) of a run id, like git."""
        prefix = prefix.strip()
        if len(prefix) == 32:
            return prefix
        if len(prefix) < 6:
            raise UserError(f"give at least 6 characters of the workflow run id, got {prefix!r}")
        matches = [str(r["id"]) for r in self.history(limit=10_000) if r["id"].startswith(prefix)]
        if not matches:
            raise NotFoundError(f"no workflow run {prefix!r} on {self.config.where}")
        if len(matches) > 1:
            raise UserError(f"workflow run id {prefix!r} is ambiguous ({len(matches)} runs); give more characters")
        return matches[0]


async def _undo_of(client: Client, run_id: str) -> WorkflowExecutionDescription | None:
    """The description of the run's undo workflow, or None if nobody asked to undo the run."""
    try:
        return await client.get_workflow_handle(undo_id(run_id)).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


def _undone(row: RunRow, undo: str, status: WorkflowExecutionStatus | None, memo: Mapping[str, object],
            close: datetime | None) -> None:
    """A run's row as its undo left it: compensating while the undo runs, then what the undo ended as."""
    error = memo.get("error", row["error"])
    row.update({"status": run_status(status, memo.get("status")).value, "phase": "compensate", "undo": undo,
                "error": str(error) if error else None, "ended_at": row_time(close)})
    if close is not None and row["started_at"]:
        row["duration"] = row_duration(datetime.fromisoformat(row["started_at"]), close)


async def _describe(client: Client, run_id: str) -> WorkflowExecutionDescription:
    try:
        return await client.get_workflow_handle(run_id).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise NotFoundError(f"no workflow run {run_id!r} on Temporal") from exc
        raise
