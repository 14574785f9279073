"""One meaning of a typed search on PostgreSQL too: the live matcher agrees with the tsvector index.

The same rows and typed searches as tests/unit/foundation/test_search_meaning.py (FTS5), against
a real PostgreSQL on the test cluster, folded and weighted as services/db/fulltext.py declares.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine, text

from app.search import text_matches, tsquery
from services.db import fulltext

ROWS = ["obj_4242 charged", "Café order", "payment.refunded", "obj 9 4242", "naïve résumé", "build b12 ok"]


@pytest.fixture
def index(pg_database: str) -> Iterator[Connection]:
    engine = create_engine(pg_database)
    with engine.begin() as conn:  # the test's own database is migrated: tf_fold and unaccent are there
        conn.execute(text(f"CREATE TABLE f (id int PRIMARY KEY, body text, search tsvector GENERATED ALWAYS AS "
                          f"(to_tsvector('{fulltext.CONFIG}', tf_fold(body))) STORED)"))
        conn.execute(text("INSERT INTO f (id, body) VALUES (:i, :b)"), [{"i": i, "b": b} for i, b in enumerate(ROWS)])
    with engine.connect() as conn:
        yield conn
    engine.dispose()


@pytest.mark.parametrize("typed", ["obj_4242", "obj_42", "4242", "cafe", "CAFÉ ord", "payment.ref", "resume naive",
                                   "b1", "build ok", "ok build", "obj 4242", "charged obj", "zzz", "obj_9"])
def test_live_matcher_agrees_with_the_tsvector_index(index: Connection, typed: str) -> None:
    query = tsquery(typed)
    assert query is not None
    found = {int(r[0]) for r in index.execute(
        text(f"SELECT id FROM f WHERE search @@ to_tsquery('{fulltext.CONFIG}', :q)"), {"q": query})}
    live = {i for i, body in enumerate(ROWS) if text_matches(typed, body)}
    assert live == found


def test_typed_syntax_is_inert() -> None:
    assert tsquery("a & !b | c:* <-> (d)") == "a & b & c & d:*"
    assert tsquery(" -- ") is None
