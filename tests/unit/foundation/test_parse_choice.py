"""app.choice: every enum typed by a person is parsed by one function with one refusal."""

from __future__ import annotations

import enum

import pytest

from app.choice import UnknownChoiceError, parse_choice, parse_name
from app.errors import UserError


class Colour(enum.StrEnum):
    RED = "red"
    DEEP_BLUE = "deep_blue"
    IN_PROGRESS = "inProgress"


def test_a_value_is_matched_after_stripping_blanks_and_ignoring_case() -> None:
    assert parse_choice(Colour, "  RED ", "colour") is Colour.RED


def test_a_camel_case_value_is_matched_in_any_case() -> None:
    assert parse_choice(Colour, "inprogress", "colour") is Colour.IN_PROGRESS


def test_an_unknown_value_is_refused_in_one_line_listing_the_values() -> None:
    with pytest.raises(UnknownChoiceError) as info:
        parse_choice(Colour, "green", "colour")
    assert str(info.value) == "unknown colour 'green'; use one of: red, deep_blue, inProgress"


def test_the_refusal_is_a_user_error() -> None:
    with pytest.raises(UserError):
        parse_choice(Colour, "", "colour")


def test_an_absent_value_is_refused_naming_none() -> None:
    with pytest.raises(UnknownChoiceError, match=r"^unknown colour None; use one of"):
        parse_choice(Colour, None, "colour")


def test_an_alias_names_its_member() -> None:
    assert parse_choice(Colour, "Blue", "colour", aliases={"blue": "deep_blue"}) is Colour.DEEP_BLUE


def test_separators_treated_alike_match_either_spelling() -> None:
    assert parse_choice(Colour, "deep-blue", "colour", same={"-": "_"}) is Colour.DEEP_BLUE


def test_a_plain_name_is_returned_as_the_choice_spells_it() -> None:
    assert parse_name("Stripe", ("stripe", "play"), "credential") == "stripe"


def test_a_plain_name_not_among_the_choices_gets_the_same_refusal() -> None:
    with pytest.raises(UnknownChoiceError, match=r"^unknown credential 'paypal'; use one of: stripe, play$"):
        parse_name("paypal", ("stripe", "play"), "credential")
