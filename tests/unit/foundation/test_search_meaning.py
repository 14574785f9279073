"""One meaning of a typed search: the live matcher agrees with SQLite's FTS5 index."""

from __future__ import annotations

import sqlite3

import pytest

from app.search import fts_query, text_matches

ROWS = ["obj_4242 charged", "Café order", "payment.refunded", "obj 9 4242", "naïve résumé", "build b12 ok"]


@pytest.fixture(scope="module")
def index() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
    conn.executemany("INSERT INTO f(rowid, body) VALUES (?, ?)", list(enumerate(ROWS)))
    return conn


@pytest.mark.parametrize("typed", ["obj_4242", "obj_42", "4242", "cafe", "CAFÉ ord", "payment.ref", "resume naive",
                                   "b1", "build ok", "ok build", "obj 4242", "charged obj", "zzz", "obj_9"])
def test_live_matcher_agrees_with_the_index(index: sqlite3.Connection, typed: str) -> None:
    match = fts_query(typed)
    assert match is not None
    from_index = {r[0] for r in index.execute("SELECT rowid FROM f WHERE f MATCH ?", (match,))}
    live = {i for i, body in enumerate(ROWS) if text_matches(typed, body)}
    assert live == from_index


def test_no_words_matches_everything() -> None:
    assert text_matches("  -- ", "anything")
