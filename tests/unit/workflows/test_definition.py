"""Definitions as data: schema validation, reference checks, inputs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.errors import UserError
from app.workflows.definition import RetryPolicy, bind_inputs, load_text, parse_definition

GOOD: dict[str, Any] = {
    "name": "demo",
    "inputs": {"n": {"type": "integer", "default": 2}, "who": {"type": "string", "required": True}},
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": "${ctx.who}"}},
        {"name": "b", "action": "noop", "condition": "ctx.n > 1", "inputs": {"value": "${steps.a.output.value}"},
         "retry": {"max_attempts": 3, "initial_interval": 0.5, "backoff_coefficient": 3, "max_interval": 2},
         "timeout": 5, "compensation": {"action": "noop", "inputs": {"value": "${steps.b.output.value}"}}},
    ],
}


def bad(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(GOOD)
    for path, value in changes.items():
        target: Any = d
        parts = path.split("__")
        for p in parts[:-1]:
            target = target[int(p)] if p.isdigit() else target[p]
        last = parts[-1]
        target[int(last) if last.isdigit() else last] = value
    return d


def test_a_good_definition_parses_into_typed_steps() -> None:
    defn = parse_definition(GOOD)
    assert defn.step_names() == ["a", "b"]
    b = defn.step("b")
    assert b.retry == RetryPolicy(3, 0.5, 3.0, 2.0, ("UserError",))
    assert b.timeout == 5
    assert b.compensation is not None and b.compensation.action == "noop"
    assert "1. a [noop]" in defn.diagram() and "undo: noop" in defn.diagram()


def test_backoff_grows_by_the_coefficient_up_to_the_maximum() -> None:
    p = RetryPolicy(max_attempts=5, initial_interval=0.5, backoff_coefficient=3, max_interval=2)
    assert [p.delay(i) for i in (1, 2, 3)] == [0.5, 1.5, 2.0]
    assert not p.retryable(("NotFoundError", "UserError", "Exception"))
    assert p.retryable(("RuntimeError", "Exception"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bad(name="Bad Name"), "name"),
        (bad(steps=[]), "steps"),
        (bad(**{"steps__0__retry": {"max_attempts": 0}}), "max_attempts"),
        (bad(**{"steps__0__bogus": 1}), "bogus"),
        (bad(**{"steps__1__name": "a"}), "used twice"),
        (bad(**{"steps__0__inputs": {"value": "${steps.b.output.value}"}}), "earlier steps"),
        (bad(**{"steps__0__inputs": {"value": "${ctx.nope}"}}), "no input"),
        (bad(**{"steps__0__inputs": {"value": "${os.environ}"}}), "start with"),
        (bad(**{"steps__1__condition": "ctx.n >"}), "condition"),
    ],
)
def test_bad_definitions_say_what_is_wrong(data: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_definition(data)


def test_toml_definitions_and_bad_text() -> None:
    toml = 'name = "t"\n[[steps]]\nname = "a"\naction = "noop"\n'
    assert load_text(toml, fmt="toml").step_names() == ["a"]
    with pytest.raises(UserError, match="not valid JSON"):
        load_text("{nope", fmt="json")


def test_inputs_get_defaults_types_and_clear_errors() -> None:
    defn = parse_definition(GOOD)
    assert bind_inputs(defn, {"who": "me"}) == {"who": "me", "n": 2}
    assert bind_inputs(defn, {"who": "me", "n": "5"}) == {"who": "me", "n": 5}
    with pytest.raises(UserError, match="needs input 'who'"):
        bind_inputs(defn, {})
    with pytest.raises(UserError, match="must be a integer"):
        bind_inputs(defn, {"who": "me", "n": "many"})
    with pytest.raises(UserError, match="no input zzz"):
        bind_inputs(defn, {"who": "me", "zzz": 1})


@pytest.mark.parametrize(
    ("text", "fmt", "match"),
    [
        ('{"name": "d", "steps": ' + "[" * 20000 + "]" * 20000 + "}", "json", "nests more than 64 levels"),
        ('name = "d"\nsteps = ' + "[" * 20000 + "]" * 20000, "toml", "nests more than 64 levels"),
        ('{"name": "d", "version": ' + str(10**30) + ', "steps": [{"name": "a", "action": "noop"}]}', "json",
         "greater than the maximum"),
        ('{"name": "d", "version": ' + "9" * 5000 + ', "steps": []}', "json", "more than 4300 digits"),
    ],
    ids=["json 20000 deep", "toml 20000 deep", "version 10**30", "version 5000 digits"],
)
def test_deep_or_huge_definitions_are_refused_in_one_line(text: str, fmt: str, match: str) -> None:
    with pytest.raises(UserError, match=match) as err:
        load_text(text, fmt=fmt, source="wf.json")
    assert "\n" not in str(err.value)
