"""Many rows into a table whose triggers keep an index, as one statement.

An ``executemany`` runs its INSERT once per row, and every run is a statement of its own: on
SQLite each opens a statement savepoint, and an FTS5 table written by a trigger flushes its
pending terms into a new segment at every savepoint (then merges them). 20,000 rows made 20,000
tiny segments; 100,000 upserts into the ledger took half an hour and grew with its size. Staged
in a temporary table and copied with one ``INSERT ... SELECT``, the rows cost the triggers one
flush. Other dialects (no per-statement flush) take the plain ``executemany``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, insert, select
from sqlalchemy.orm import DeclarativeBase

_names = count()


def insert_rows(conn: Connection, model: type[DeclarativeBase] | Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each naming the same columns, every one a NOT NULL column needs) into ``model``'s table."""
    if not rows:
        return
    table = model if isinstance(model, Table) else model.__table__
    assert isinstance(table, Table)
    if conn.dialect.name != "sqlite" or len(rows) == 1:
        conn.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    stage = Table(f"stage_{table.name}_{next(_names)}", MetaData(),
                  *(Column(name, table.c[name].type) for name in names), prefixes=["TEMPORARY"])
    stage.create(conn)
    try:
        conn.execute(insert(stage), list(rows))
        conn.execute(insert(table).from_select(names, select(*stage.c)))
    finally:
        stage.drop(conn)
