"""The database hook masks a known secret in whatever string a statement binds, and only there."""

from __future__ import annotations

from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, create_engine, insert, text

from app.redact import MASK
from services.redaction import install_on_engine

SECRET = "sk_live_0123456789abcdef"


def _table() -> tuple[Engine, list[str]]:
    engine = create_engine("sqlite://")
    install_on_engine(engine, lambda: [SECRET])
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER, a TEXT, b TEXT)"))
    return engine, []


def _rows(engine: Engine) -> list[tuple[int, str | None, str | None]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT n, a, b FROM t ORDER BY n"))]


def test_a_batch_masks_the_secret_in_the_row_that_holds_it_and_keeps_the_others() -> None:
    engine, _ = _table()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:n, :a, :b)"), [
            {"n": 1, "a": "plain", "b": "text"},
            {"n": 2, "a": f"Bearer {SECRET}", "b": "text"},
            {"n": 3, "a": "more", "b": None},
        ])
    rows = _rows(engine)
    assert rows[0] == (1, "plain", "text") and rows[2] == (3, "more", None)
    masked = rows[1][1] or ""
    assert SECRET not in masked and MASK in masked and rows[1][2] == "text"


def test_one_statement_masks_a_secret_in_any_of_its_strings() -> None:
    engine, _ = _table()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:n, :a, :b)"), {"n": 1, "a": "ok", "b": f"key={SECRET}"})
    [(n, a, b)] = _rows(engine)
    assert (n, a) == (1, "ok") and b is not None and SECRET not in b and MASK in b


def test_a_secret_split_across_two_values_is_not_a_secret_in_either() -> None:
    engine, _ = _table()
    half = len(SECRET) // 2
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:n, :a, :b)"), [{"n": 1, "a": SECRET[:half], "b": SECRET[half:]}])
    assert _rows(engine) == [(1, SECRET[:half], SECRET[half:])]


def test_a_multi_row_values_batch_masks_the_secret_in_the_row_that_holds_it() -> None:
    """An executemany with RETURNING goes out as multi-row VALUES statements, one flat row of values each."""
    engine, _ = _table()
    t = Table("t", MetaData(), Column("n", Integer, primary_key=True), Column("a", Text), Column("b", Text))
    with engine.begin() as conn:
        conn.execute(insert(t).returning(t.c.n), [
            {"n": 1, "a": "plain", "b": "text"},
            {"n": 2, "a": f"Bearer {SECRET}", "b": "text"},
            {"n": 3, "a": "more", "b": None},
        ]).close()
    rows = _rows(engine)
    assert rows[0] == (1, "plain", "text") and rows[2] == (3, "more", None)
    masked = rows[1][1] or ""
    assert SECRET not in masked and MASK in masked and rows[1][2] == "text"


def test_a_batch_whose_numbers_spell_a_secret_is_stored_as_it_came() -> None:
    # the batch is searched as one text of its strings: a number that reads like a secret is not one
    engine = create_engine("sqlite://")
    install_on_engine(engine, lambda: ["123456789012345"])
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER, a TEXT, b TEXT)"))
        conn.execute(text("INSERT INTO t VALUES (:n, :a, :b)"), [
            {"n": 123456789012345, "a": "plain", "b": None},
            {"n": 2, "a": "text", "b": "more"},
        ])
    assert _rows(engine) == [(2, "text", "more"), (123456789012345, "plain", None)]


def test_a_driver_batch_of_tuples_masks_the_row_that_holds_the_secret() -> None:
    engine, _ = _table()
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (?, ?, ?)", [
            (1, "plain", "text"), (2, "x", f"token={SECRET}"), (3, None, "y")])
    rows = _rows(engine)
    assert rows[0] == (1, "plain", "text") and rows[2] == (3, None, "y")
    assert SECRET not in (rows[1][2] or "") and MASK in (rows[1][2] or "")
