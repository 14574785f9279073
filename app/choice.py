"""Parsing a choice a person typed (a platform, a provider, a source, a status, a credential name).

Each such value is read here, so every refusal is the same line: ``unknown platform 'ipa'; use one
of: apk, aab, web``. Matching strips surrounding blanks and ignores case; an area may add aliases
(``twitter`` for ``x``) and separators it treats alike (``google-trends`` for ``google_trends``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TypeVar

from app.errors import UserError

E = TypeVar("E", bound=enum.Enum)


class UnknownChoiceError(UserError):
    """A typed value that is none of the choices; the message lists them."""


def unknown_choice(what: str, text: object, choices: Iterable[str]) -> UnknownChoiceError:
    """The one refusal for a value that is none of ``choices``."""
    return UnknownChoiceError(f"unknown {what} {text!r}; use one of: {', '.join(choices)}")


def _key(text: str, same: Mapping[str, str]) -> str:
    key = text.strip().casefold()
    for alike, canonical in same.items():
        key = key.replace(alike, canonical)
    return key


def parse_name(text: str | None, choices: Iterable[str], what: str, *, aliases: Mapping[str, str] | None = None,
               same: Mapping[str, str] | None = None) -> str:
    """The one of ``choices`` that ``text`` names (as the choice is spelt), or :class:`UnknownChoiceError`."""
    names = list(choices)
    seps = same or {}
    key = _key(text or "", seps)
    if aliases:
        key = {_key(k, seps): _key(v, seps) for k, v in aliases.items()}.get(key, key)
    for name in names:
        if _key(name, seps) == key:
            return name
    raise unknown_choice(what, text, names)


def parse_choice(enum_type: type[E], text: str | None, what: str, *, aliases: Mapping[str, str] | None = None,
                 same: Mapping[str, str] | None = None) -> E:
    """The member of ``enum_type`` whose value ``text`` names, or :class:`UnknownChoiceError` listing the values."""
    by_value = {str(member.value): member for member in enum_type}
    return by_value[parse_name(text, by_value, what, aliases=aliases, same=same)]
