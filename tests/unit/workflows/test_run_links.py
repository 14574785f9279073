"""What a run is about (app.workflows.links): read from its inputs and its steps' outputs, later ones winning."""

from __future__ import annotations

from app.workflows.links import RunLinks, run_links


def test_links_come_from_inputs_and_step_outputs() -> None:
    links = run_links({"trend_id": "t-given", "base_template": "base"},
                      [{"trend_id": "t-picked"}, {"template_id": "made"}, None, {"build_id": "b1", "state": "built"}])
    assert links == RunLinks(trend_id="t-picked", template_id="made", build_id="b1")


def test_a_run_that_made_nothing_links_nowhere() -> None:
    assert run_links({"base_template": "base"}, [{"approved": True}, {}]) == RunLinks()


def test_empty_and_non_text_values_are_ignored() -> None:
    assert run_links({}, [{"build_id": "b1"}, {"build_id": ""}, {"build_id": 7}]).build_id == "b1"
