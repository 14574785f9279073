"""The generic Temporal workflow runs a definition as the in-process engine does: steps, undo in reverse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.workflows.definition import parse_definition
from app.workflows.events import WorkflowNotified
from app.workflows.model import replay
from services.bootstrap import Services

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


def _titles(services: Services, run_id: str) -> list[str]:
    return [e.title for e in services.workflows.events_of(run_id) if isinstance(e, WorkflowNotified)]


def test_a_failing_deploy_is_retried_then_the_completed_steps_are_undone_in_reverse(
        services: Services, worker: Any, wait_run: Any) -> None:
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


BROKEN_SECOND = {
    "name": "broken-second",
    "inputs": {"broken": {"type": "boolean", "default": True}},
    "steps": [
        {"name": "first", "action": "noop", "inputs": {"value": "${ctx.run_id}"}},
        {"name": "second", "action": "fail", "condition": "ctx.broken", "inputs": {"message": "second broke"}},
        {"name": "third", "action": "noop", "inputs": {"value": "${steps.first.output.value}"}},
    ],
}


def test_rerun_from_a_step_starts_a_new_temporal_run_that_reuses_the_earlier_outputs(
        services: Services, worker: Any, wait_run: Any, tmp_path: Path) -> None:
    worker(services)
    wf = services.workflows
    path = tmp_path / "broken-second.json"
    path.write_text(json.dumps(BROKEN_SECOND))
    wf.import_definition(path)
    first = wf.start("broken-second", {})
    assert wait_run(services, first)["status"] == "failed"
    again = wf.rerun(first, "second", ["broken=false"])
    detail = wait_run(services, again)
    assert detail["status"] == "succeeded" and detail["rerun_of"] == first
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["first"]["reused"] and steps["first"]["output"] == {"value": first}  # the first run's own id
    assert steps["second"]["status"] == "skipped"
    assert steps["third"]["output"] == {"value": first}
    assert [r["id"] for r in wf.history("broken-second")] == [again, first]



def test_the_events_a_temporal_run_records_fold_to_the_state_temporal_shows(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    wf = services.workflows
    assert wf.temporal is not None
    run_id = wf.temporal.start(parse_definition(UNDO_IN_REVERSE), {})
    detail = wait_run(services, run_id)
    state = replay(wf.events_of(run_id), [s["name"] for s in detail["steps"]])
    assert state.status.value == detail["status"] == "compensated"
    assert state.error == detail["error"] and state.failed_step == detail["failed_step"] == "deploy"
    for row in detail["steps"]:
        step = state.step(row["name"])
        assert (step.status.value, step.attempts, step.error) == (row["status"], row["attempts"], row["error"]), row["name"]
