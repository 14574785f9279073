"""The generic Temporal workflow runs a definition as the in-process engine does: steps, undo in reverse."""

from __future__ import annotations

from typing import Any

from app.workflows.definition import parse_definition
from services.bootstrap import ServiceManager

UNDO_IN_REVERSE = {
    "name": "undo-in-reverse",
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": "a"},
         "compensation": {"action": "notify", "inputs": {"title": "undo a", "message": "${steps.a.output.value}"}}},
        {"name": "b", "action": "noop", "inputs": {"value": "b"},
         "compensation": {"action": "notify", "inputs": {"title": "undo b", "message": "${steps.b.output.value}"}}},
        {"name": "deploy", "action": "fail", "inputs": {"message": "deploy refused", "error_type": "ToolError"},
         "retry": {"max_attempts": 2, "initial_interval": 0.1, "non_retryable_errors": ["UserError"]}},
    ],
}


def _titles(services: ServiceManager, run_id: str) -> list[str]:
    return [p["title"] for t, p in services.workflows.events_of(run_id) if t == "workflow.notified"]


def test_a_failing_deploy_is_retried_then_the_completed_steps_are_undone_in_reverse(
        services: ServiceManager, worker: Any, wait_run: Any) -> None:
    worker(services)
    wf = services.workflows
    assert wf.temporal is not None
    run_id = wf.temporal.start(parse_definition(UNDO_IN_REVERSE), {})
    detail = wait_run(services, run_id)
    assert detail["status"] == "compensated", detail
    assert detail["error"] == "deploy: deploy refused (attempt 2)"
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["deploy"]["attempts"] == 2 and steps["deploy"]["status"] == "failed"
    assert steps["a"]["status"] == steps["b"]["status"] == "compensated"
    assert _titles(services, run_id) == ["undo b", "undo a"]
