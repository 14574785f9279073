"""Everything a store holds, as bytes: to prove a secret never reached it (on either backend)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from services.bootstrap import Services


def stored_bytes(services: Services) -> bytes:
    """SQLite: the database file and its WAL as they are on disk. PostgreSQL: every row of every table, as text."""
    engine = services.ctx.engine
    if engine.dialect.name == "sqlite":
        db = services.config.db_path
        wal = Path(f"{db}-wal")
        return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    chunks: list[str] = []
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            chunks.extend(str(r[0]) for r in conn.execute(text(f'SELECT t::text FROM "{name}" t')))
    return "\n".join(chunks).encode()
