"""Many rows into a table whose triggers keep an index, in few statements.

An ``executemany`` runs its INSERT once per row, and every run is a statement of its own: on
SQLite each opens a statement savepoint, and an FTS5 table written by a trigger flushes its
pending terms into a new segment at every savepoint (then merges them). 20,000 rows made 20,000
tiny segments; 100,000 upserts into the ledger took half an hour and grew with its size. Sent as
multi-row VALUES statements (up to 1,000 rows each), the rows cost the triggers one flush per
statement, with no table to stage them in (creating, filling, copying and dropping one per batch
cost more than the rows). Other dialects (no per-statement flush) take the plain ``executemany``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert, literal_column
from sqlalchemy.orm import DeclarativeBase


def insert_rows(conn: Connection, model: type[DeclarativeBase] | Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each naming the same columns, every one a NOT NULL column needs) into ``model``'s table."""
    if not rows:
        return
    table = model if isinstance(model, Table) else model.__table__
    assert isinstance(table, Table)
    if conn.dialect.name != "sqlite" or len(rows) == 1:
        conn.execute(insert(table), list(rows))
        return
    # SQLite: SQLAlchemy's "insertmanyvalues" (used for an executemany with RETURNING) sends the rows as
    # multi-row VALUES statements of up to 1,000 rows, so the triggers flush once per statement
    key = next(iter(table.primary_key.columns), None)
    conn.execute(insert(table).returning(key if key is not None else literal_column("rowid")), list(rows)).close()
