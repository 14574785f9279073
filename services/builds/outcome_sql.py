"""The build-outcome rules of ``app/builds/outcome.py`` as SQL: one WHERE expression per rule.

Built from the very clauses the Python predicates evaluate, so a count in SQL and a check of one
build cannot disagree.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement

from app.builds.outcome import Clause, Rule
from services.builds.models import BuildRecord


def _clause(c: Clause) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = [BuildRecord.state.in_(sorted(s.value for s in c.states))]
    if c.platform is not None:
        parts.append(BuildRecord.platform == c.platform.value)
    if c.finished is True:
        parts.append(BuildRecord.finished_at.is_not(None))
    elif c.finished is False:
        parts.append(BuildRecord.finished_at.is_(None))
    return and_(*parts)


def where(rule: Rule) -> ColumnElement[bool]:
    """``rule`` as a condition on ``builds`` rows."""
    if not rule.clauses:
        return false()
    return or_(*(_clause(c) for c in rule.clauses))
