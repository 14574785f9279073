"""Deep, long or oversized outside input is refused with one line, never a traceback."""

from __future__ import annotations

import json
import tomllib

import pytest

from app.errors import UserError
from app.untrusted import MAX_DEPTH, InputShapeError, csv_rows, depth, load_json, load_toml


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[" * 3000 + "]" * 3000, "nests more than 64 levels"),
        ("[" * 20000 + "]" * 20000, "nests more than 64 levels"),
        ('{"a":' * 200 + "1" + "}" * 200, "nests more than 64 levels"),
        ("1" * 5000, "more than 4300 digits"),
        ('{"n": -' + "9" * 5000 + "}", "more than 4300 digits"),
    ],
    ids=["3000 deep", "20000 deep", "200 deep objects", "5000 digits", "negative 5000 digits"],
)
def test_json_refusals_are_one_line(text: str, match: str) -> None:
    with pytest.raises(InputShapeError, match=match) as err:
        load_json(text, "the file")
    assert "\n" not in str(err.value) and str(err.value).startswith("the file ")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("x = " + "[" * 20000 + "]" * 20000, "nests more than 64 levels"),
        ("x = " + "[" * 500 + "]" * 500, "nests more than 64 levels"),
        ("x = " + "1" * 5000, "more than 4300 digits"),
    ],
    ids=["20000 deep", "500 deep", "5000 digits"],
)
def test_toml_refusals_are_one_line(text: str, match: str) -> None:
    with pytest.raises(InputShapeError, match=match):
        load_toml(text, "the file")


def test_syntax_errors_keep_their_own_type() -> None:
    with pytest.raises(json.JSONDecodeError):
        load_json("{nope", "x")
    with pytest.raises(tomllib.TOMLDecodeError):
        load_toml("= nope", "x")


def test_ordinary_input_passes_and_the_error_type_is_the_callers() -> None:
    assert load_json('{"a": [1, {"b": 2}]}', "x") == {"a": [1, {"b": 2}]}
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert depth(load_json(nested, "x")) == MAX_DEPTH

    class MineError(UserError):
        pass

    with pytest.raises(MineError):
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "x", MineError)


def test_a_10mb_csv_field_is_refused_with_its_line() -> None:
    text = "title,volume\nok,1\n" + "A" * 10_000_000 + ",1\n"
    header, rows = csv_rows(text, "big.csv")
    assert header == ["title", "volume"]
    with pytest.raises(InputShapeError, match=r"^big.csv line 3: a field is longer than 131072 characters"):
        list(rows)


def test_a_csv_row_shorter_than_its_header_reads_the_missing_columns_as_empty_text() -> None:
    _header, rows = csv_rows("a,b,c\n1\n", "short.csv")
    assert list(rows) == [{"a": "1", "b": "", "c": ""}]


def test_a_csv_row_longer_than_its_header_keeps_only_the_named_columns() -> None:
    _header, rows = csv_rows("a,b\n1,2,3,4\n", "long.csv")
    assert list(rows) == [{"a": "1", "b": "2"}]
