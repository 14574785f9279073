"""The in-process engine's rows have exactly the keys of the shared row types (Temporal's are in workflows_temporal)."""

from __future__ import annotations

from typing import Any

from services.workflows.rows import DefinitionRow, InputRow, RunDetail, RunRow, StepRow
from services.workflows.service import WorkflowsService

DEMO = {
    "name": "rows-demo",
    "inputs": {"n": {"type": "integer", "default": 1}},
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": "${ctx.n}"}, "compensation": {"action": "noop"}},
        {"name": "b", "action": "fail", "condition": "ctx.n > 1", "inputs": {"message": "too big"}},
    ],
}


def test_a_shown_run_has_the_keys_of_run_detail_and_its_steps_those_of_step_row(run: Any) -> None:
    detail = run(DEMO, {"n": 2})
    assert set(detail) == RunDetail.__required_keys__
    assert detail["steps"] and all(set(s) == StepRow.__required_keys__ for s in detail["steps"])


def test_a_listed_run_has_the_keys_of_run_row(run: Any, wf: WorkflowsService) -> None:
    run(DEMO)
    (row,) = wf.history("rows-demo")
    assert set(row) == RunRow.__required_keys__


def test_a_listed_definition_has_the_keys_of_definition_row(wf: WorkflowsService) -> None:
    listed = wf.list_definitions()
    assert listed and all(set(d) == DefinitionRow.__required_keys__ for d in listed)
    inputs = [i for d in listed for i in d["inputs"]]
    assert inputs and all(set(i) == InputRow.__required_keys__ for i in inputs)
