"""The one generic Temporal workflow: a TrendForge definition (JSON/TOML) run as a saga.

Deterministic (it runs in Temporal's sandbox and is replayed from its history): no I/O, no
clock but Temporal's. Each step is an activity with the step's retry policy and timeout mapped
to Temporal's; a step failing for good undoes the completed steps in reverse; an approval step
waits for the ``approve`` signal; a cancel is Temporal's cancellation. What the run does is
recorded as the same ``workflow.*`` events the in-process engine records (by a ``record``
activity), with the run id (the workflow id) as their correlation id.

The run's state for listing (status, phase, error) is kept in the workflow's memo, so the
Workflows panel and the CLI read it from Temporal's visibility without a worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any, NoReturn

from temporalio import workflow
from temporalio.common import RetryPolicy as TemporalRetry
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception
from temporalio.exceptions import TimeoutError as TemporalTimeoutError
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from app.workflows.definition import RetryPolicy, StepDefinition, WorkflowDefinition, parse_definition
    from app.workflows.expr import ExpressionError, evaluate_condition, resolve
    from app.workflows.model import Phase, RunStatus, StepStatus
    from services.workflows.temporal.config import HEARTBEAT_EVERY
    from services.workflows.temporal.shapes import (
        APPROVAL_ACTION,
        APPROVE_SIGNAL,
        COMPENSATE_STEP,
        RECORD,
        RUN_STEP,
        UNDO_WORKFLOW_TYPE,
        WORKFLOW_TYPE,
        Approval,
        Notice,
        RecordCall,
        RunInput,
        RunResult,
        StepCall,
        StepResult,
        UndoInput,
    )

#: a step without its own timeout may run this long per attempt (a dead worker is found by its heartbeat)
DEFAULT_STEP_TIMEOUT = timedelta(hours=24)
RECORD_TIMEOUT = timedelta(seconds=30)


def temporal_retry(policy: RetryPolicy) -> TemporalRetry:
    """A definition's retry policy as Temporal's (same attempts, intervals and non-retryable types)."""
    initial = max(policy.initial_interval, 0.001)
    return TemporalRetry(
        initial_interval=timedelta(seconds=initial),
        backoff_coefficient=policy.backoff_coefficient,
        maximum_interval=timedelta(seconds=max(policy.max_interval, initial)),
        maximum_attempts=policy.max_attempts,
        non_retryable_error_types=list(policy.non_retryable_errors),
    )


def failure_of(exc: BaseException, timeout: float | None) -> tuple[str, str]:
    """(error type, message) of a failed activity, as the in-process engine words them."""
    cause = exc.cause if isinstance(exc, ActivityError) and exc.cause is not None else exc
    if isinstance(cause, TemporalTimeoutError):
        return "TimeoutError", f"timed out after {timeout:g}s" if timeout else "timed out (its worker stopped answering)"
    if isinstance(cause, ApplicationError):
        return cause.type or "Error", cause.message or cause.type or "failed"
    return type(cause).__name__, str(cause) or type(cause).__name__


class _StepFailedError(Exception):
    def __init__(self, step: str, error_type: str, message: str) -> None:
        super().__init__(message)
        self.step, self.error_type, self.message = step, error_type, message


@workflow.defn(name=WORKFLOW_TYPE)
class TrendForgeRun:
    def __init__(self) -> None:
        self._approvals: dict[str, Approval] = {}
        self._run: RunInput | None = None
        self._defn: WorkflowDefinition | None = None
        self._outputs: dict[str, dict[str, Any]] = {}
        self._statuses: dict[str, StepStatus] = {}

    @workflow.signal(name=APPROVE_SIGNAL)
    def approve(self, decision: Approval) -> None:
        self._approvals.setdefault(decision.step, decision)  # the first decision stands

    # -- helpers ---------------------------------------------------------------------------
    @property
    def run_input(self) -> RunInput:
        assert self._run is not None
        return self._run

    @property
    def defn(self) -> WorkflowDefinition:
        assert self._defn is not None
        return self._defn

    def _scope(self) -> dict[str, Any]:
        run = self.run_input
        return {
            "ctx": {**run.inputs, "run_id": run.run_id, "workflow": self.defn.name},
            "steps": {s.name: {"output": self._outputs.get(s.name, {}), "status": self._statuses[s.name].value}
                      for s in self.defn.steps},
        }

    async def _record(self, *notices: Notice) -> None:
        run = self.run_input
        await workflow.execute_activity(
            RECORD, RecordCall(run.run_id, self.defn.name, list(notices)),
            task_queue=workflow.info().task_queue, start_to_close_timeout=RECORD_TIMEOUT,
        )

    def _memo(self, status: RunStatus, **extra: Any) -> None:
        workflow.upsert_memo({"status": status.value, **extra})

    def _call(self, step: StepDefinition, action: str, inputs: dict[str, Any], policy: RetryPolicy) -> StepCall:
        run = self.run_input
        retry = {f.name: getattr(policy, f.name) for f in dataclasses.fields(policy)}
        retry["non_retryable_errors"] = list(policy.non_retryable_errors)
        return StepCall(run.run_id, self.defn.name, step.name, action, inputs, retry=retry,
                        heartbeat_every=min(HEARTBEAT_EVERY, run.heartbeat_timeout / 3))

    async def _activity(self, name: str, call: StepCall, timeout: float | None, policy: RetryPolicy) -> StepResult:
        result: StepResult = await workflow.execute_activity(
            name, call, result_type=StepResult,
            task_queue=self.run_input.queues.get(call.action, workflow.info().task_queue),
            start_to_close_timeout=timedelta(seconds=timeout) if timeout else DEFAULT_STEP_TIMEOUT,
            heartbeat_timeout=timedelta(seconds=self.run_input.heartbeat_timeout),
            retry_policy=temporal_retry(policy),
            cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        return result

    # -- the run ---------------------------------------------------------------------------
    @workflow.run
    async def run(self, run: RunInput) -> RunResult:
        self._run = run
        self._defn = defn = parse_definition(run.definition, source=f"run {run.run_id}")
        self._statuses = {s.name: StepStatus.PENDING for s in defn.steps}
        began = workflow.time()
        opening = [Notice("workflow.started", {"inputs": run.inputs, "rerun_of": run.rerun_of, "from_step": run.from_step})]
        for name, old in run.reuse.items():
            self._statuses[name] = StepStatus(old.status)
            self._outputs[name] = dict(old.output)
            if old.status == StepStatus.SUCCEEDED.value:
                opening.append(Notice("workflow.step_succeeded", {"step": name, "attempt": old.attempts,
                                                                   "output": old.output, "reused": True}))
            else:
                opening.append(Notice("workflow.step_skipped", {"step": name, "condition": defn.step(name).condition or "",
                                                                 "reused": True}))
        await self._record(*opening)
        current: str | None = None
        try:
            for step in defn.steps:
                if step.name in run.reuse:
                    continue
                current = step.name
                await self._forward(step)
                current = None
        except asyncio.CancelledError:
            notices = [Notice("workflow.step_cancelled", {"step": current})] if current else []
            if current:
                self._statuses[current] = StepStatus.CANCELLED
            await self._record(*notices, Notice("workflow.cancelled", {"step": current}))
            self._memo(RunStatus.CANCELLED, error="cancelled by the user")
            raise
        except _StepFailedError as failed:
            return await self._compensate(failed)
        await self._record(Notice("workflow.completed", {"duration": round(workflow.time() - began, 6)}))
        self._memo(RunStatus.SUCCEEDED)
        return RunResult(RunStatus.SUCCEEDED.value)

    async def _forward(self, step: StepDefinition) -> None:
        try:
            if step.condition and not evaluate_condition(step.condition, self._scope()):
                self._statuses[step.name] = StepStatus.SKIPPED
                await self._record(Notice("workflow.step_skipped", {"step": step.name, "condition": step.condition}))
                return
            inputs = resolve(dict(step.inputs), self._scope())
        except ExpressionError as exc:
            await self._fail(step, "ExpressionError", str(exc), attempt=0)
        self._statuses[step.name] = StepStatus.RUNNING
        if step.action == APPROVAL_ACTION:
            self._outputs[step.name] = await self._approval(step, inputs)
        else:
            try:
                result = await self._activity(RUN_STEP, self._call(step, step.action, inputs, step.retry), step.timeout, step.retry)
            except ActivityError as exc:
                if is_cancelled_exception(exc):
                    raise asyncio.CancelledError from exc  # the run was cancelled: not a failure of the step
                etype, message = failure_of(exc, step.timeout)
                # the activity recorded the failures it raised; a timeout or a lost worker it could not
                await self._fail(step, etype, message, attempt=step.retry.max_attempts,
                                 record=isinstance(exc.cause, TemporalTimeoutError))
            self._outputs[step.name] = result.output
        self._statuses[step.name] = StepStatus.SUCCEEDED

    async def _fail(self, step: StepDefinition, etype: str, message: str, *, attempt: int, record: bool = True) -> NoReturn:
        self._statuses[step.name] = StepStatus.FAILED
        if record:
            await self._record(Notice("workflow.step_failed", {"step": step.name, "attempt": attempt, "error": message,
                                                               "error_type": etype}))
        raise _StepFailedError(step.name, etype, message)

    async def _approval(self, step: StepDefinition, inputs: dict[str, Any]) -> dict[str, Any]:
        message = str(inputs.get("message") or "Approve to continue")
        await self._record(Notice("workflow.step_started", {"step": step.name, "action": step.action, "attempt": 1}),
                           Notice("workflow.approval_requested", {"step": step.name, "message": message}))
        try:
            await workflow.wait_condition(lambda: step.name in self._approvals,
                                          timeout=timedelta(seconds=step.timeout) if step.timeout else None)
        except TimeoutError:
            await self._fail(step, "TimeoutError", f"timed out after {step.timeout:g}s", attempt=1)
        decision = self._approvals[step.name]
        if not decision.approved:
            await self._fail(step, "ApprovalRejectedError", f"rejected: {decision.note or 'no reason given'}", attempt=1)
        output = {"decision": "approved", "note": decision.note}
        await self._record(Notice("workflow.step_succeeded", {"step": step.name, "attempt": 1, "output": output}))
        return output

    async def _compensate(self, failed: _StepFailedError) -> RunResult:
        error = f"{failed.step}: {failed.message}"
        self._memo(RunStatus.COMPENSATING, phase=Phase.COMPENSATE.value, error=error, failed_step=failed.step)
        any_done, any_failed = await self.undo({StepStatus.SUCCEEDED})
        final = RunStatus.COMPENSATION_FAILED if any_failed else RunStatus.COMPENSATED if any_done else RunStatus.FAILED
        await self._record(Notice("workflow.failed", {"status": final.value, "step": failed.step, "error": error}))
        self._memo(final, phase=Phase.COMPENSATE.value, error=error, failed_step=failed.step)
        return RunResult(final.value, error=error, failed_step=failed.step)

    async def undo(self, undoable: set[StepStatus]) -> tuple[bool, bool]:
        """Undo the steps in ``undoable`` states, last first; (any undone or tried, any undo failed)."""
        any_done = any_failed = False
        for step in reversed(self.defn.steps):
            comp = step.compensation
            if comp is None or self._statuses[step.name] not in undoable:
                continue
            self._statuses[step.name] = StepStatus.COMPENSATING
            await self._record(Notice("workflow.compensating", {"step": step.name, "action": comp.action}))
            ok, why, attempts = True, "", 0
            try:
                inputs = resolve(dict(comp.inputs), self._scope())
                done = await self._activity(COMPENSATE_STEP, self._call(step, comp.action, inputs, comp.retry),
                                            comp.timeout, comp.retry)
                attempts = done.attempt
            except ExpressionError as exc:
                ok, why = False, str(exc)
            except ActivityError as exc:
                etype, message = failure_of(exc, comp.timeout)
                ok, why, attempts = False, f"{etype}: {message}", comp.retry.max_attempts
            any_done = True
            any_failed = any_failed or not ok
            self._statuses[step.name] = StepStatus.COMPENSATED if ok else StepStatus.COMPENSATION_FAILED
            await self._record(Notice("workflow.compensated", {"step": step.name, "ok": ok, "error": why,
                                                                 "attempts": attempts}))
        return any_done, any_failed

    @classmethod
    def finished(cls, run: RunInput, statuses: dict[str, str], outputs: dict[str, dict[str, Any]]) -> TrendForgeRun:
        """A finished run as its steps ended (for undoing it): the same scope its undos resolve against."""
        saga = cls()
        saga._run = run
        saga._defn = parse_definition(run.definition, source=f"run {run.run_id}")
        saga._statuses = {s.name: StepStatus(statuses.get(s.name, StepStatus.PENDING.value)) for s in saga._defn.steps}
        saga._outputs = {name: dict(out) for name, out in outputs.items()}
        return saga


@workflow.defn(name=UNDO_WORKFLOW_TYPE)
class TrendForgeUndo:
    """Undo a finished run's completed steps in reverse, as ``workflow compensate`` does in-process.

    Its workflow id is derived from the run's (:func:`~services.workflows.temporal.shapes.undo_id`)
    and never reused, so a run is undone at most once. It records the events under the run's id
    (``resumed`` as compensating, ``compensating``/``compensated`` per step, ``run_compensated``),
    so the run's folded state is compensated, as it is in-process.
    """

    @workflow.run
    async def run(self, undo: UndoInput) -> RunResult:
        saga = TrendForgeRun.finished(undo.run, undo.statuses, undo.outputs)
        began = workflow.time()
        await saga._record(Notice("workflow.resumed", {"status": RunStatus.COMPENSATING.value}))
        _, any_failed = await saga.undo({StepStatus.SUCCEEDED, StepStatus.COMPENSATION_FAILED})
        final = RunStatus.COMPENSATION_FAILED if any_failed else RunStatus.COMPENSATED
        error = undo.error if any_failed or undo.after != RunStatus.SUCCEEDED.value else ""
        await saga._record(Notice("workflow.run_compensated", {
            "status": final.value, "after": undo.after, "duration": round(workflow.time() - began, 6),
            "error": error if any_failed else "",
        }))
        workflow.upsert_memo({"status": final.value, "phase": Phase.COMPENSATE.value, "error": error})
        return RunResult(final.value, error=error)
