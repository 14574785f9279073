"""Reading text that came from outside (packages, definitions, imports, feeds, webhooks) without crashing.

Python's parsers fail on hostile shapes with exceptions no one can act on: JSON nested a few
thousand levels deep raises ``RecursionError``, a number of more than 4300 digits raises a
``ValueError`` about ``sys.set_int_max_str_digits``, a CSV field over 128 KiB raises ``_csv.Error``.
Every such input goes through here and is refused with one :class:`InputShapeError` line saying
what is wrong; values are also checked for depth after parsing (iteratively), so code that walks
them recursively later (schema validation, our own visitors) never meets a structure deeper than
:data:`MAX_DEPTH`.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from app.errors import UserError
from app.jsonvalue import JsonValue

MAX_DEPTH = 64  # far beyond any real manifest, definition or payload; far below Python's recursion limit
MAX_DIGITS = 4300  # CPython's int/str conversion limit (sys.get_int_max_str_digits default)
CSV_FIELD_LIMIT = 131072  # the csv module's default field_size_limit

V = TypeVar("V")


class InputShapeError(UserError):
    """Input that is syntactically possible but too deep, too long or too big to accept."""


def depth(value: object) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level  # enough to refuse; do not walk the rest
        stack.extend((c, level) for c in children)
    return deepest


def check_depth(value: V, what: str, error: type[UserError] = InputShapeError) -> V:
    if depth(value) > MAX_DEPTH:
        raise error(f"{what} nests more than {MAX_DEPTH} levels deep; flatten it")
    return value


def load_json(text: str | bytes, what: str, error: type[UserError] = InputShapeError) -> JsonValue:
    """``json.loads`` that refuses too-deep or too-long input with one line naming ``what``.

    A syntax error still raises ``json.JSONDecodeError`` so callers keep their own wording for it.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise error(f"{what} nests more than {MAX_DEPTH} levels deep; flatten it") from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # the int digit limit (CPython raises a plain ValueError)
        if "digits" in str(exc):
            raise error(f"{what} has a number with more than {MAX_DIGITS} digits; numbers that long are not accepted") from None
        raise error(f"{what} cannot be read: {exc}") from None
    checked: JsonValue = value  # json.loads is typed Any; what it returns is JSON
    return check_depth(checked, what, error)


def load_toml(text: str, what: str, error: type[UserError] = InputShapeError) -> dict[str, Any]:  # tomllib's own type
    """``tomllib.loads`` with the same refusals as :func:`load_json` (syntax errors still raise TOMLDecodeError)."""
    try:
        value = tomllib.loads(text)
    except RecursionError:
        raise error(f"{what} nests more than {MAX_DEPTH} levels deep; flatten it") from None
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:
        if "digits" in str(exc):
            raise error(f"{what} has a number with more than {MAX_DIGITS} digits; numbers that long are not accepted") from None
        raise error(f"{what} cannot be read: {exc}") from None
    check_depth(value, what, error)
    return value


def load_data(text: str, *, fmt: str = "json", source: str = "definition") -> JsonValue:
    """JSON or TOML text as data, not checked as anything yet (a workflow definition, at start-up each
    built-in one: its checks are imported only when one differs from what is stored)."""
    try:
        return load_toml(text, source) if fmt == "toml" else load_json(text, source)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{source} is not valid {fmt.upper()}: {exc}") from exc


def csv_rows(text: str, what: str, error: type[UserError] = InputShapeError) -> tuple[list[str], Iterator[dict[str, str]]]:
    """A CSV's header and its rows as dicts (a column a short row lacks is ``""``; values past the header are
    dropped); a malformed or oversized field is refused with its line number."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise error(_csv_message(what, reader.reader.line_num, exc)) from None

    def rows() -> Iterator[dict[str, str]]:
        try:
            for row in reader:
                yield {k: v if isinstance(v, str) else "" for k, v in row.items() if isinstance(k, str)}
        except csv.Error as exc:
            raise error(_csv_message(what, reader.reader.line_num, exc)) from None

    return header, rows()


def _csv_message(what: str, line: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"{what} line {line}: a field is longer than {CSV_FIELD_LIMIT} characters; shorten it"
    return f"{what} line {line}: not valid CSV ({exc})"
