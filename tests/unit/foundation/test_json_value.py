"""app.jsonvalue: reading JSON values with isinstance checks and one line per wrong type."""

from __future__ import annotations

import json

import pytest

from app.errors import UserError
from app.jsonvalue import (
    JsonShapeError,
    as_array,
    as_bool,
    as_int,
    as_number,
    as_object,
    as_str,
    is_json,
    need_int,
    need_str,
    opt_array,
    opt_bool,
    opt_int,
    opt_object,
    opt_str,
)


def test_an_object_is_returned_as_it_is() -> None:
    value = json.loads('{"a": 1}')
    assert as_object(value, "payload") is value


def test_a_list_where_an_object_is_needed_is_refused_naming_the_field() -> None:
    with pytest.raises(JsonShapeError, match=r"^payload must be an object, not a list$"):
        as_object([1], "payload")


def test_the_refusal_is_a_user_error() -> None:
    with pytest.raises(UserError):
        as_str(3, "name")


def test_a_string_number_is_not_an_integer() -> None:
    with pytest.raises(JsonShapeError, match=r"^amount must be an integer, not a string$"):
        as_int("12", "amount")


def test_a_boolean_is_not_an_integer() -> None:
    with pytest.raises(JsonShapeError, match=r"not a boolean$"):
        as_int(True, "amount")


def test_a_boolean_is_not_a_number() -> None:
    with pytest.raises(JsonShapeError, match=r"^rate must be a number, not a boolean$"):
        as_number(False, "rate")


def test_an_integer_is_a_number() -> None:
    assert as_number(3, "rate") == 3.0


def test_null_is_named_as_null() -> None:
    with pytest.raises(JsonShapeError, match=r"^flag must be true or false, not null$"):
        as_bool(None, "flag")


def test_a_list_is_returned_as_it_is() -> None:
    assert as_array([1, "a"], "items") == [1, "a"]


def test_an_absent_or_null_optional_field_is_none() -> None:
    assert (opt_str({}, "k"), opt_int({"k": None}, "k"), opt_object({}, "k"), opt_array({"k": None}, "k")) == (None,) * 4


def test_an_optional_field_of_the_wrong_type_is_refused_with_its_label() -> None:
    with pytest.raises(JsonShapeError, match=r"^the release's name must be a string, not a number$"):
        opt_str({"name": 5}, "name", "the release's name")


def test_present_optional_fields_are_read() -> None:
    obj = {"s": "x", "i": 2, "o": {"a": None}, "l": [True]}
    assert (opt_str(obj, "s"), opt_int(obj, "i"), opt_object(obj, "o"), opt_array(obj, "l")) == ("x", 2, {"a": None}, [True])


def test_what_json_loads_returns_is_json() -> None:
    assert is_json(json.loads('{"a": [1, 2.5, "x", null, true, {"b": []}]}'))


def test_a_tuple_inside_is_not_json() -> None:
    assert not is_json({"a": [(1, 2)]})


def test_a_non_string_key_is_not_json() -> None:
    assert not is_json({"a": {1: "b"}})


def test_a_deep_value_is_checked_without_recursion() -> None:
    deep: object = "leaf"
    for _ in range(5000):
        deep = [deep]
    assert is_json(deep)


def test_a_needed_field_that_is_absent_is_refused_as_missing() -> None:
    with pytest.raises(JsonShapeError, match=r"^price is missing$"):
        need_int({"id": "s1"}, "price")


def test_a_needed_field_that_is_null_is_refused_as_missing() -> None:
    with pytest.raises(JsonShapeError, match=r"^a sale's id is missing$"):
        need_str({"id": None}, "id", "a sale's id")


def test_a_needed_field_of_another_type_is_refused_naming_it() -> None:
    with pytest.raises(JsonShapeError, match=r"^price must be an integer, not a string$"):
        need_int({"price": "5.00"}, "price")


def test_an_absent_flag_reads_as_false() -> None:
    assert opt_bool({}, "refunded") is False


def test_a_flag_given_as_text_is_refused() -> None:
    with pytest.raises(JsonShapeError, match=r"^refunded must be true or false, not a string$"):
        opt_bool({"refunded": "yes"}, "refunded")
