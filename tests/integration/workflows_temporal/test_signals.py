"""Approval is the workflow's ``approve`` signal; cancel is Temporal's cancellation of the workflow."""

from __future__ import annotations

import time
from typing import Any

from app.workflows.definition import parse_definition
from services.bootstrap import Services

SLOW = {
    "name": "slow",
    "steps": [
        {"name": "first", "action": "noop", "inputs": {"value": 1}},
        {"name": "wait", "action": "sleep", "inputs": {"seconds": 120}},
        {"name": "never", "action": "notify", "inputs": {"title": "never"}},
    ],
}


def _until(services: Services, run_id: str, step: str, status: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        detail = services.workflows.show(run_id)
        if {s["name"]: s["status"] for s in detail["steps"]}[step] == status:
            return detail
        assert time.monotonic() < deadline, detail
        time.sleep(0.1)


def _types(services: Services, run_id: str) -> list[str]:
    return [e.type for e in services.workflows.events_of(run_id)]


def test_an_approval_step_waits_for_the_approve_signal_then_the_run_goes_on(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    wf = services.workflows
    run_id = wf.start("approval-demo", {"what": "the spring release"})
    _until(services, run_id, "approve", "running")
    assert wf.show(run_id)["status"] == "running"
    assert wf.approve(run_id[:8]) == "approve"  # a prefix of the id, as for local runs
    detail = wait_run(services, run_id)
    assert detail["status"] == "succeeded", detail
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["approve"]["output"] == {"decision": "approved", "note": ""}
    assert steps["pause"]["status"] == "skipped" and steps["done"]["status"] == "succeeded"
    assert "workflow.approval_requested" in _types(services, run_id)


def test_a_rejected_approval_fails_the_run_with_the_reason(services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    wf = services.workflows
    run_id = wf.start("approval-demo", {})
    _until(services, run_id, "approve", "running")
    wf.approve(run_id, approved=False, note="not before Friday")
    detail = wait_run(services, run_id)
    assert detail["status"] == "failed"
    assert detail["error"] == "approve: rejected: not before Friday"
    assert {s["name"]: s["status"] for s in detail["steps"]}["done"] == "pending"


def test_cancel_stops_the_running_step_and_cancels_the_temporal_workflow(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    wf = services.workflows
    assert wf.temporal is not None
    run_id = wf.temporal.start(parse_definition(SLOW), {})
    _until(services, run_id, "wait", "running")
    assert wf.cancel(run_id) == "requested"
    detail = wait_run(services, run_id)
    assert detail["status"] == "cancelled", detail
    steps = {s["name"]: s["status"] for s in detail["steps"]}
    assert steps == {"first": "succeeded", "wait": "cancelled", "never": "pending"}
    assert _types(services, run_id)[-2:] == ["workflow.step_cancelled", "workflow.cancelled"]
