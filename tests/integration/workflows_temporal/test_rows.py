"""A Temporal run's rows have the keys of the shared row types, plus the ones only Temporal fills."""

from __future__ import annotations

from typing import Any

from app.workflows.definition import parse_definition
from services.bootstrap import Services
from services.workflows.rows import RunDetail, RunRow, StepRow

TWO_STEPS = {
    "name": "temporal-rows",
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": "a"}},
        {"name": "b", "action": "noop", "inputs": {"value": "${steps.a.output.value}"}},
    ],
}


def test_a_temporal_run_shows_and_lists_with_the_row_types_keys(services: Services, worker: Any, wait_run: Any) -> None:
    worker(services)
    wf = services.workflows
    assert wf.temporal is not None
    run_id = wf.temporal.start(parse_definition(TWO_STEPS), {})
    detail = wait_run(services, run_id)
    assert detail["status"] == "succeeded", detail
    assert set(detail) == RunDetail.__required_keys__ | {"engine", "undo"}
    assert all(set(s) == StepRow.__required_keys__ | {"worker"} for s in detail["steps"])
    (row,) = [r for r in wf.temporal.history("temporal-rows") if r["id"] == run_id]
    assert set(row) == RunRow.__required_keys__ | {"engine"}
