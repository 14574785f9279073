"""How much memory SQLite's own allocator holds in this process (every connection's page cache and
schema): ``sqlite3_memory_used`` of the library Python's sqlite3 module is linked against."""

from __future__ import annotations

import ctypes
import ctypes.util

from sqlalchemy import Engine, text


def sqlite_memory_used() -> int:
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        raise RuntimeError("the SQLite library is not found by name (a statically linked sqlite3 module)")
    lib = ctypes.CDLL(name)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def fill_and_warm(engine: Engine, rows: int = 12_000) -> None:
    """A table of ~6 MB in ``engine``'s store, read in full by two pooled connections at once (each
    fills its 2 MB page cache), both back in the pool afterwards."""
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE warm_pages (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO warm_pages (body) SELECT printf('%.500c', 'x') FROM "
                          "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows) "
                          "SELECT i FROM n)"), {"rows": rows})
    first, second = engine.connect(), engine.connect()
    try:
        for conn in (first, second):
            conn.execute(text("SELECT sum(length(body)) FROM warm_pages")).one()
    finally:
        first.close()
        second.close()
