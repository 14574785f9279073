"""The type of a value that came from JSON or goes to it, and reading it without ``Any``.

``JsonValue`` is what ``json.loads`` can return; ``JsonObject`` is one of its objects. A value read
from a payload, a definition, a workflow's inputs or a step's result is narrowed with the helpers
below before it is used: each checks the type with ``isinstance`` and refuses a wrong one with one
line naming the field, so a provider or a file that sends ``"amount": "12"`` is told so rather
than failing later in arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from app.errors import UserError

JsonScalar: TypeAlias = str | int | float | bool | None
JsonValue: TypeAlias = JsonScalar | list["JsonValue"] | dict[str, "JsonValue"]
JsonObject: TypeAlias = dict[str, JsonValue]
JsonArray: TypeAlias = list[JsonValue]


class JsonShapeError(UserError):
    """A JSON value of another type than the one the reader needs."""


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _refuse(what: str, wanted: str, value: object) -> JsonShapeError:
    return JsonShapeError(f"{what} must be {wanted}, not {_kind(value)}")


def as_object(value: object, what: str) -> JsonObject:
    """``value`` as a JSON object, or one line saying ``what`` is not one."""
    if not isinstance(value, dict):
        raise _refuse(what, "an object", value)
    return value


def as_array(value: object, what: str) -> JsonArray:
    if not isinstance(value, list):
        raise _refuse(what, "a list", value)
    return value


def as_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise _refuse(what, "a string", value)
    return value


def as_int(value: object, what: str) -> int:
    """An integer (a JSON boolean is not one, though Python counts it as an int)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(what, "an integer", value)
    return value


def as_number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(what, "a number", value)
    return float(value)


def as_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise _refuse(what, "true or false", value)
    return value


def need(obj: Mapping[str, object], key: str, what: str | None = None) -> object:
    """``obj[key]``, or one line saying it is missing (a null counts as missing)."""
    value = obj.get(key)
    if value is None:
        raise JsonShapeError(f"{what or key} is missing")
    return value


# The readers below test the common case inline before calling the refusing helper: a provider's page is
# thousands of fields read on a worker that shares the GIL with the GUI thread.


def need_str(obj: Mapping[str, object], key: str, what: str | None = None) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else as_str(need(obj, key, what), what or key)


def need_int(obj: Mapping[str, object], key: str, what: str | None = None) -> int:
    value = obj.get(key)
    return value if type(value) is int else as_int(need(obj, key, what), what or key)


def opt_bool(obj: Mapping[str, object], key: str, what: str | None = None) -> bool:
    """``obj[key]`` as true or false, false when absent or null; another type is refused."""
    value = obj.get(key)
    return False if value is None else value if isinstance(value, bool) else as_bool(value, what or key)


def opt_str(obj: Mapping[str, object], key: str, what: str | None = None) -> str | None:
    """``obj[key]`` as a string, ``None`` when absent or null; another type is refused."""
    value = obj.get(key)
    return value if value is None or isinstance(value, str) else as_str(value, what or key)


def opt_int(obj: Mapping[str, object], key: str, what: str | None = None) -> int | None:
    value = obj.get(key)
    return value if value is None or type(value) is int else as_int(value, what or key)


def opt_object(obj: Mapping[str, object], key: str, what: str | None = None) -> JsonObject | None:
    value = obj.get(key)
    return None if value is None else as_object(value, what or key)


def opt_array(obj: Mapping[str, object], key: str, what: str | None = None) -> JsonArray | None:
    value = obj.get(key)
    return None if value is None else as_array(value, what or key)


def is_json(value: object) -> bool:
    """Whether ``value`` is made only of what JSON can hold (string keys; no tuples, sets or objects), without recursion."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, str | int | float | bool):
            continue
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend(item.values())
        else:
            return False
    return True
