"""The activities of the generic workflow: run a step's action, run an undo, record events.

They call the same registered area actions (``services/<area>/actions.py``) the in-process engine
calls, with the same :class:`~services.actions.ActionContext`, and record the same events with
the run id as correlation id. A running action heartbeats, so a worker that dies is noticed
within the heartbeat timeout and Temporal retries the step on another worker (by the step's
retry policy); a cancel reaches the action through its cancel hooks (a build's tools are stopped).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from app.errors import UserError
from app.events import event_class
from app.workflows import events as ev
from app.workflows.definition import RetryPolicy
from services.actions import ActionContext, ActionRegistry, ActionSpec
from services.context import ServiceContext
from services.events.correlation import correlation
from services.workflows.engine import _describe, _error_types, _jsonable
from services.workflows.temporal.shapes import COMPENSATE_STEP, RECORD, RUN_STEP, RecordCall, StepCall, StepResult


class StepActivities:
    """One worker's activities, over that worker's services (its store, its toolchain, its keyring)."""

    def __init__(self, ctx: ServiceContext, registry: ActionRegistry) -> None:
        self.ctx = ctx
        self.registry = registry

    def all(self) -> list[Any]:
        return [self.run_step, self.compensate_step, self.record]

    def _commit(self, run_id: str, events: Iterable[ev.WorkflowEvent]) -> None:
        with correlation(run_id), self.ctx.new_uow() as uow:
            uow.record(*events)
            uow.commit()

    def _event(self, call: StepCall, cls: type[ev.WorkflowEvent], **fields: Any) -> ev.WorkflowEvent:
        return cls(run_id=call.run_id, workflow=call.workflow, step=call.step, correlation_id=call.run_id, **fields)  # type: ignore[call-arg]

    @activity.defn(name=RECORD)
    async def record(self, call: RecordCall) -> None:
        events: list[ev.WorkflowEvent] = []
        for notice in call.notices:
            cls = event_class(notice.type)
            if cls is None or not issubclass(cls, ev.WorkflowEvent):
                raise ApplicationError(f"no workflow event type {notice.type!r}", type="UserError", non_retryable=True)
            events.append(cls(run_id=call.run_id, workflow=call.workflow, correlation_id=call.run_id, **notice.fields))
        self._commit(call.run_id, events)

    @activity.defn(name=RUN_STEP)
    async def run_step(self, call: StepCall) -> StepResult:
        attempt = activity.info().attempt
        spec, bound = self._bind(call, attempt, record=True)
        self._commit(call.run_id, [self._event(call, ev.StepStarted, action=call.action, attempt=attempt,
                                                         inputs=call.inputs)])
        output = await self._perform(call, spec, bound, attempt, record=True)
        self._commit(call.run_id, [self._event(call, ev.StepSucceeded, attempt=attempt, output=output)])
        return StepResult(output, attempt)

    @activity.defn(name=COMPENSATE_STEP)
    async def compensate_step(self, call: StepCall) -> StepResult:
        """An undo; the workflow records its start and end (``compensating`` / ``compensated``)."""
        attempt = activity.info().attempt
        spec, bound = self._bind(call, attempt, record=False)
        return StepResult(await self._perform(call, spec, bound, attempt, record=False), attempt)

    def _bind(self, call: StepCall, attempt: int, *, record: bool) -> tuple[ActionSpec, dict[str, Any]]:
        try:
            spec = self.registry.get(call.action)
            return spec, spec.bind(call.inputs)
        except UserError as exc:
            etype, message = _describe(exc, None)
            if record:
                self._commit(call.run_id, [self._event(call, ev.StepFailed, attempt=attempt, error=message, error_type=etype)])
            raise ApplicationError(message, type=etype, non_retryable=True) from exc

    async def _perform(self, call: StepCall, spec: ActionSpec, bound: dict[str, Any], attempt: int, *, record: bool) -> dict[str, Any]:
        remembered: dict[str, Any] = {}

        def remember(values: dict[str, Any]) -> None:
            if not record:
                return  # an undo remembers nothing (as in-process)
            remembered.update(_jsonable(values))
            self._commit(call.run_id, [self._event(call, ev.StepOutputRecorded, values=_jsonable(values))])
            activity.heartbeat(remembered)

        actx = ActionContext(run_id=call.run_id, workflow=call.workflow, step=call.step, attempt=attempt,
                             data_dir=self.ctx.data_dir, uow=self.ctx.new_uow, remember=remember)
        beat = asyncio.create_task(_heartbeat(call.heartbeat_every), name=f"heartbeat-{call.run_id}-{call.step}")
        try:
            with correlation(call.run_id):  # what the action causes carries the run id too
                return _jsonable(await spec.invoke(actx, bound))
        except asyncio.CancelledError:
            actx.fire_cancel()  # e.g. stop the build's tools; the action waits for them, then ends
            raise
        except Exception as exc:
            etype, message = _describe(exc, None)
            policy = RetryPolicy.from_dict(call.retry)
            retryable = policy.retryable(_error_types(exc))
            will_retry = retryable and attempt < policy.max_attempts
            if record:
                self._commit(call.run_id, [self._event(
                    call, ev.StepFailed, attempt=attempt, error=message, error_type=etype, will_retry=will_retry,
                    retry_in=policy.delay(attempt) if will_retry else 0.0)])
            raise ApplicationError(message, type=etype, non_retryable=not retryable) from exc
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat


async def _heartbeat(every: float) -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(every)
