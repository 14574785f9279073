"""EXPLAIN QUERY PLAN for a statement as it would run (tests and benches check hot queries with it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.sql import ClauseElement


def query_plan(conn: Connection, stmt: ClauseElement | str, params: Any = None) -> list[str]:
    """The plan's lines (``SCAN ...``, ``SEARCH ... USING INDEX ...``, ``USE TEMP B-TREE ...``)."""
    if isinstance(stmt, str):
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {stmt}", params if params is not None else {})
    else:
        compiled = stmt.compile(conn, compile_kwargs={"render_postcompile": True})
        bound = {**compiled.params, **(params or {})}  # params: overrides by name
        positional: list[str] | None = getattr(compiled, "positiontup", None)
        args: Any = tuple(bound[name] for name in positional) if positional else bound
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args)
    return [str(r[3]) for r in rows]


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (SQL, parameters) the engine runs inside the block, to check the plans of what ran."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
