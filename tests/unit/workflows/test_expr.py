"""The condition language and ${...} references: parsed by hand, never eval'd."""

from __future__ import annotations

import pytest

from app.workflows.expr import ExpressionError, evaluate_condition, parse, resolve, template_refs

SCOPE = {
    "ctx": {"n": 3, "name": "cats", "flag": True, "tags": ["a", "b"], "nothing": None},
    "steps": {"pick": {"output": {"score": 0.75, "title": "Cat Cafe", "items": [{"id": 7}]}, "status": "succeeded"}},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ctx.n == 3", True),
        ("ctx.n != 3", False),
        ("ctx.n > 2 and ctx.n < 4", True),
        ("ctx.n >= 4 or ctx.name == 'cats'", True),
        ("not ctx.flag", False),
        ("not not ctx.flag", True),
        ("steps.pick.output.score > 0.5", True),
        ("${steps.pick.output.score} <= 0.5", False),
        ("steps.pick.output.items.0.id == 7", True),
        ("'a' in ctx.tags", True),
        ("'at' in ctx.name", True),
        ("ctx.missing == null", True),
        ("ctx.nothing == null and steps.nope.output.x == null", True),
        ("(ctx.n == 1 or ctx.n == 3) and not (ctx.name == \"dogs\")", True),
        ("ctx.n == 1 or ctx.n == 3 and false", False),  # and binds tighter than or
        ("ctx.name > 3", False),  # mixed types order as false, never raise
        ("true", True),
        ("-1 < 0", True),
    ],
)
def test_conditions(text: str, expected: bool) -> None:
    assert evaluate_condition(text, SCOPE) is expected


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('true')", "ctx.n ==", "ctx.n = 3", "(ctx.n == 3", "ctx.n == 3)", "ctx.n + 1 > 2", "", "lambda: 1"],
)
def test_bad_conditions_are_rejected_with_a_position(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text)


def test_resolve_keeps_types_for_whole_references_and_interpolates_otherwise() -> None:
    value = {
        "score": "${steps.pick.output.score}",
        "label": "trend: ${steps.pick.output.title} (${ctx.n})",
        "list": ["${ctx.flag}", "x"],
        "missing": "${ctx.absent}",
        "plain": 5,
    }
    out = resolve(value, SCOPE)
    assert out == {"score": 0.75, "label": "trend: Cat Cafe (3)", "list": [True, "x"], "missing": None, "plain": 5}


def test_template_refs_rejects_expressions_inside_references() -> None:
    assert template_refs({"a": "${ctx.n} and ${steps.pick.output.title}"}) == [("ctx", "n"), ("steps", "pick", "output", "title")]
    with pytest.raises(ExpressionError):
        template_refs("${ctx.n + 1}")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not " * 5000 + "true", "characters long; the limit is 2000"),
        ("(" * 3000 + "1" + ")" * 3000, "characters long; the limit is 2000"),
        ("not " * 60 + "true", "more than 50 levels deep"),
        ("(" * 60 + "1" + ")" * 60, "more than 50 levels deep"),
        ("not (" * 30 + "true" + ")" * 30, "more than 50 levels deep"),
        ("1" * 1999, None),
    ],
    ids=["5000 nots", "3000 parens", "60 nots", "60 parens", "mixed", "long number"],
)
def test_deep_or_long_conditions_are_refused_in_one_line(text: str, match: str | None) -> None:
    if match is None:  # within the limits: parses and evaluates without reaching Python's digit limit
        assert evaluate_condition(text, {}) is True
        return
    with pytest.raises(ExpressionError, match=match) as err:
        parse(text)
    assert len(str(err.value)) < 200


def test_nesting_up_to_the_limit_still_works() -> None:
    assert evaluate_condition("not " * 49 + "false", {}) is True  # an odd number of nots
    assert evaluate_condition("(" * 50 + "1 == 1" + ")" * 50, {}) is True
