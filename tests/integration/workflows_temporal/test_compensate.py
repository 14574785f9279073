"""Compensating a finished Temporal run: its one undo workflow undoes the completed steps in reverse, once."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import ConflictError
from app.workflows.definition import parse_definition
from app.workflows.events import StepCompensated, WorkflowCompensated, WorkflowNotified
from app.workflows.model import replay
from services.bootstrap import Services
from services.workflows.temporal.shapes import undo_id

UNDOABLE = {
    "name": "undoable-release",
    "steps": [
        {"name": "template", "action": "noop", "inputs": {"value": "tpl-1"},
         "compensation": {"action": "notify", "inputs": {"title": "undo template", "message": "${steps.template.output.value}"}}},
        {"name": "plain", "action": "noop", "inputs": {"value": "no undo"}},
        {"name": "release", "action": "noop", "inputs": {"value": "rel-7"},
         "compensation": {"action": "notify", "inputs": {"title": "undo release", "message": "${steps.release.output.value}"},
                          "retry": {"max_attempts": 3, "initial_interval": 0.1}}},
    ],
}


def _undos(services: Services, run_id: str) -> list[tuple[str, str]]:
    """(title, message) of what the undo notifications said, in the order they were recorded."""
    return [(e.title, e.message) for e in services.workflows.events_of(run_id)
            if isinstance(e, WorkflowNotified) and e.title.startswith("undo")]


def _succeeded_run(services: Services, wait_run: Any) -> str:
    wf = services.workflows
    assert wf.temporal is not None
    run_id = wf.temporal.start(parse_definition(UNDOABLE), {})
    assert wait_run(services, run_id)["status"] == "succeeded"
    return run_id


def test_a_succeeded_temporal_run_compensated_undoes_its_steps_in_reverse_with_their_outputs(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    run_id = _succeeded_run(services, wait_run)
    assert services.workflows.compensate(run_id[:8]) == run_id
    detail = wait_run(services, run_id)
    assert detail["status"] == "compensated" and detail["phase"] == "compensate", detail
    assert detail["undo"] == undo_id(run_id) and detail["error"] is None
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["template"]["status"] == steps["release"]["status"] == "compensated"
    assert steps["plain"]["status"] == "succeeded"  # it has no undo
    assert steps["release"]["compensation_attempts"] == 1
    assert _undos(services, run_id) == [("undo release", "rel-7"), ("undo template", "tpl-1")]
    listed = {r["id"]: r for r in services.workflows.history()}
    assert listed[run_id]["status"] == "compensated"


def test_the_undo_records_the_events_that_fold_to_the_compensated_run_temporal_shows(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    run_id = _succeeded_run(services, wait_run)
    services.workflows.compensate(run_id)
    detail = wait_run(services, run_id)
    events = services.workflows.events_of(run_id)
    assert [e.step for e in events if isinstance(e, StepCompensated)] == ["release", "template"]
    (ended,) = [e for e in events if isinstance(e, WorkflowCompensated)]
    assert (ended.status, ended.after) == ("compensated", "succeeded")
    state = replay(events, [s["name"] for s in detail["steps"]])
    assert state.status.value == detail["status"] == "compensated"
    for row in detail["steps"]:
        assert state.step(row["name"]).status.value == row["status"], row["name"]


def test_a_second_compensate_of_a_temporal_run_is_refused_and_nothing_is_undone_twice(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    run_id = _succeeded_run(services, wait_run)
    services.workflows.compensate(run_id)
    with pytest.raises(ConflictError, match="undone only once"):
        services.workflows.compensate(run_id)  # while the first undo runs (or just after)
    assert wait_run(services, run_id)["status"] == "compensated"
    with pytest.raises(ConflictError, match="undone only once"):
        services.workflows.compensate(run_id)  # after it ended
    assert _undos(services, run_id) == [("undo release", "rel-7"), ("undo template", "tpl-1")]


def test_compensating_a_temporal_run_with_nothing_to_undo_is_refused_in_one_line(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    wf = services.workflows
    assert wf.temporal is not None
    run_id = wf.temporal.start(parse_definition({"name": "no-undo", "steps": [{"name": "a", "action": "noop"}]}), {})
    assert wait_run(services, run_id)["status"] == "succeeded"
    with pytest.raises(ConflictError, match="nothing to compensate") as refused:
        wf.compensate(run_id)
    assert "\n" not in str(refused.value)
    assert wf.show(run_id)["status"] == "succeeded" and wf.show(run_id)["undo"] is None


def test_a_compensate_checked_before_another_undo_ended_is_refused_by_temporal(
        services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    run_id = _succeeded_run(services, wait_run)
    temporal = services.workflows.temporal
    assert temporal is not None
    # both requests checked the run before either started its undo (two processes at the same moment);
    # the slower one starts only after the first undo has ended: the undo's id is never reused
    first, second = temporal.undo_input(run_id), temporal.undo_input(run_id)
    temporal.start_undo(run_id, first)
    assert wait_run(services, run_id)["status"] == "compensated"
    with pytest.raises(ConflictError, match="undone only once"):
        temporal.start_undo(run_id, second)
    assert _undos(services, run_id) == [("undo release", "rel-7"), ("undo template", "tpl-1")]
