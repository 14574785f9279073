"""Full-text search on either backend, decided once per index: SQLite FTS5 or a PostgreSQL tsvector.

SQLite keeps each index in an FTS5 table beside its table (see the migrations that create them).
PostgreSQL keeps a generated, weighted ``search`` tsvector column on the table itself with a GIN
index; text is folded like FTS5's ``unicode61 remove_diacritics 2`` (lower case, accents off), so
what a person types (:mod:`app.search`) finds the same rows on both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, literal_column, text

from app.search import fts_query, tsquery
from services.db.backend import Backend

CONFIG = "simple"  # no stemming or stop words: tokens as typed, like unicode61
# Folded like unicode61: lower case, accents off, and ASCII punctuation separates tokens (PostgreSQL's
# parser would keep "payment.refunded" or "a/b" whole). unaccent() is only STABLE (its dictionary could
# change); a generated column needs IMMUTABLE, hence the wrapper.
FOLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION tf_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "RETURN regexp_replace(public.unaccent('public.unaccent'::regdictionary, lower(coalesce(value, ''))), "
    "'[!-/:-@\\[-`{-~]+', ' ', 'g')"
)


@dataclass(frozen=True)
class SearchIndex:
    """The columns a table's search covers, each with its weight (A counts most)."""

    table: str
    columns: tuple[tuple[str, str], ...]

    @property
    def vector(self) -> str:
        return " || ".join(f"setweight(to_tsvector('{CONFIG}', tf_fold({col})), '{w}')" for col, w in self.columns)


TEMPLATES = SearchIndex("templates", (("title", "A"), ("tags", "B"), ("category", "C"), ("description", "D")))
EVENTS = SearchIndex("events", (("type", "A"), ("source", "A"), ("id", "A"), ("payload", "B")))
PAYMENTS = SearchIndex("payment_transactions", (("id", "A"), ("provider_id", "A"), ("description", "B")))


def create_postgresql(index: SearchIndex, execute: Callable[[str], object]) -> None:
    """Add ``search`` (generated from the row) and its GIN index to ``index.table`` (a migration step)."""
    execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    execute(FOLD_FUNCTION)
    execute(f"ALTER TABLE {index.table} ADD COLUMN search tsvector GENERATED ALWAYS AS ({index.vector}) STORED")
    execute(f"CREATE INDEX ix_{index.table}_search ON {index.table} USING gin (search)")


def drop_postgresql(index: SearchIndex, execute: Callable[[str], object]) -> None:
    execute(f"DROP INDEX IF EXISTS ix_{index.table}_search")
    execute(f"ALTER TABLE {index.table} DROP COLUMN IF EXISTS search")


def query_text(backend: Backend, typed: str) -> str | None:
    """What to bind as ``:match`` for :func:`matches`, or None when ``typed`` holds no word."""
    return tsquery(typed) if backend is Backend.POSTGRESQL else fts_query(typed)


def matches(backend: Backend, qualified: str, fts_table: str) -> str:
    """SQL true for rows of ``qualified`` (``t`` or ``templates``) that match ``:match``.

    SQLite: ``fts_table MATCH :match`` (the FTS table must be joined by the caller).
    """
    if backend is Backend.POSTGRESQL:
        return f"{qualified}.search @@ to_tsquery('{CONFIG}', :match)"
    return f"{fts_table} MATCH :match"


def rank(qualified: str) -> str:
    """PostgreSQL: the relevance of a row of ``qualified`` to ``:match`` (higher is better)."""
    return f"ts_rank({qualified}.search, to_tsquery('{CONFIG}', :match))"


def match_clause(backend: Backend, qualified: str, fts_table: str, match: str) -> ColumnElement[bool]:
    """:func:`matches` as a Core clause with ``match`` bound."""
    return text(matches(backend, qualified, fts_table)).bindparams(bindparam("match", match))  # type: ignore[return-value]


def search_column(qualified: str) -> ColumnElement[object]:
    return literal_column(f"{qualified}.search")
