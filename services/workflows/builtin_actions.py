"""Generic actions every installation has: notify, wait_for_approval, noop, sleep, fail."""

from __future__ import annotations

import asyncio
from typing import Any

from app.errors import ProviderError, ToolError, UserError
from app.workflows import events as ev
from services.actions import ActionContext, ActionRegistry, Param

_ANY = (str, int, float, bool, dict, list)


class ApprovalRejectedError(UserError):
    """A wait_for_approval step was rejected; not retried."""


_FAILURES: dict[str, type[Exception]] = {
    "RuntimeError": RuntimeError,
    "UserError": UserError,
    "ProviderError": ProviderError,
    "ToolError": ToolError,
    "TimeoutError": TimeoutError,
    "ValueError": ValueError,
}


def register_builtin_actions(registry: ActionRegistry) -> None:
    @registry.action(
        "noop",
        Param("value", _ANY, required=False, description="echoed back as output.value"),
        idempotent=True,
        description="Do nothing; return the input as output.value",
    )
    def noop(actx: ActionContext, value: Any = None) -> dict[str, Any]:
        return {"value": value}

    @registry.action(
        "sleep",
        Param("seconds", float, description="how long to wait"),
        idempotent=True,
        description="Wait some seconds (cancellable)",
    )
    async def sleep(actx: ActionContext, seconds: float) -> dict[str, Any]:
        await asyncio.sleep(seconds)
        return {"slept": seconds}

    @registry.action(
        "notify",
        Param("title", str),
        Param("message", str, required=False, default=""),
        Param("level", str, required=False, default="info"),
        idempotent=True,
        description="Show a desktop notification (and record it in the event log)",
    )
    def notify(actx: ActionContext, title: str, message: str = "", level: str = "info") -> dict[str, Any]:
        if actx.uow is not None:
            with actx.uow() as uow:
                uow.record(ev.WorkflowNotified(run_id=actx.run_id, workflow=actx.workflow, step=actx.step,
                                               title=title, message=message, level=level))
                uow.commit()
        return {"title": title, "message": message}

    @registry.action(
        "fail",
        Param("message", str, required=False, default="failed on purpose"),
        Param("error_type", str, required=False, default="RuntimeError"),
        Param("times", int, required=False, default=0, description="fail only the first N attempts (0: always)"),
        idempotent=True,
        description="Fail on purpose (for testing retries and compensation)",
    )
    def fail(actx: ActionContext, message: str = "failed on purpose", error_type: str = "RuntimeError", times: int = 0) -> dict[str, Any]:
        cls = _FAILURES.get(error_type)
        if cls is None:
            raise UserError(f"fail: error_type must be one of {', '.join(_FAILURES)}")
        if times and actx.attempt > times:
            return {"attempt": actx.attempt}
        raise cls(f"{message} (attempt {actx.attempt})")

    @registry.action(
        "wait_for_approval",
        Param("message", str, required=False, default="Approve to continue"),
        Param("poll", float, required=False, default=0.5, description="no longer used: an approval, here or from another process, wakes the step at once"),
        idempotent=True,
        description="Pause until someone approves (or rejects) the step",
    )
    async def wait_for_approval(actx: ActionContext, message: str = "Approve to continue", poll: float = 0.5) -> dict[str, Any]:
        engine = actx.engine
        if engine is None:
            raise UserError("wait_for_approval needs the workflow engine")
        if engine.signal(actx.run_id, actx.step) is None and actx.uow is not None:
            with actx.uow() as uow:
                uow.record(ev.ApprovalRequested(run_id=actx.run_id, workflow=actx.workflow, step=actx.step, message=message))
                uow.commit()
        found = await engine.wait_signal(actx.run_id, actx.step, poll)
        if found.get("decision") != "approved":
            raise ApprovalRejectedError(f"rejected: {found.get('note') or 'no reason given'}")
        return {"decision": "approved", "note": found.get("note", "")}
