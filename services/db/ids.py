"""One rule for ids typed by a person: the full id, or a unique prefix of it (like git).

Every command and panel that takes an id (builds, payments, trends, workflow runs, correlation
ids in the event log) resolves it here, so "at least N characters, unique, else say so" means
the same everywhere. The lookup is a range on the column (``id >= p AND id < p + U+10FFFF``),
which an index on it serves, rather than a LIKE that SQLite cannot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.errors import NotFoundError, UserError
from app.remedies import Remedy

MIN_PREFIX = 4
_TOP = "\U0010ffff"


def matching_ids(conn: Session | Connection, column: Any, given: str, limit: int = 2) -> list[str]:
    """Up to ``limit`` distinct values of ``column`` that equal or start with ``given`` (exact first)."""
    exact = conn.execute(select(column).where(column == given).limit(1)).scalars().first()
    if exact is not None:
        return [str(exact)]
    stmt = (select(column).where(column >= given, column < given + _TOP)
            .group_by(column).order_by(column).limit(limit))
    return [str(v) for v in conn.execute(stmt).scalars()]


def resolve_id(conn: Session | Connection, column: Any, given: str, *, what: str, remedy: Remedy,
               min_len: int = MIN_PREFIX, missing_ok: bool = False) -> str:
    """The one id in ``column`` that ``given`` names. ``remedy`` says where to see the ids.

    A missing id is a ``NotFoundError`` (or, with ``missing_ok``, ``given`` itself: a filter that
    matches nothing); a prefix shorter than ``min_len`` or shared by several ids is a ``UserError``.
    """
    text = (given or "").strip()
    if not text:
        raise UserError(f"give a {what} id", remedy=remedy)
    found = matching_ids(conn, column, text)
    if len(found) == 1 and (found[0] == text or len(text) >= min_len):
        return found[0]
    if not found:
        if missing_ok:
            return text
        raise NotFoundError(f"no {what} {text!r}", remedy=remedy)
    if len(text) < min_len:
        raise UserError(f"{what} id {text!r} is too short; give at least {min_len} characters")
    raise UserError(f"{what} id {text!r} is ambiguous: more than one {what} starts with it; give more characters")
