"""A run's rows as the projection of its folded state (:func:`app.workflows.model.apply`).

The engine never writes a run's state columns itself: it records events, folds them into the
run's state and writes here what changed between the state before and after, in the same
transaction as the events. Loading a run reads the projection back into a :class:`RunState`.
Only the lease (``owner_pid``/``owner_token``) and the cross-process cancel mailbox
(``cancel_requested``) are not state: the engine writes those itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeAlias

from sqlalchemy import Connection, Dialect, FromClause, Table

from app.workflows.model import Phase, RunState, RunStatus, StepState, StepStatus
from services.db.backend import driver_sql
from services.workflows.models import WorkflowRunRecord as RunRec
from services.workflows.models import WorkflowStepRecord as StepRec

# state field -> column: the names are the same on both sides
RUN_COLUMNS = ("status", "phase", "error", "failed_step", "started_at", "ended_at", "superseded_by", "signals")
STEP_COLUMNS = tuple(f.name for f in fields(StepState))

Columns: TypeAlias = dict[str, object]  # column name -> the value its column type binds (str, int, datetime, JSON, ...)


def _column_value(value: object) -> object:
    if isinstance(value, (RunStatus, StepStatus, Phase)):
        return value.value
    if isinstance(value, Mapping):
        return {k: _column_value(v) for k, v in value.items()}
    return value


def step_from_row(row: StepRec) -> StepState:
    return StepState(
        status=StepStatus(row.status), attempts=row.attempts, inputs=row.inputs, output=row.output, error=row.error,
        error_type=row.error_type, started_at=row.started_at, ended_at=row.ended_at, reused=bool(row.reused),
        compensation_error=row.compensation_error, compensation_attempts=row.compensation_attempts,
        compensated_at=row.compensated_at,
    )


def state_from_rows(run: RunRec, steps: Sequence[StepRec]) -> RunState:
    return RunState(
        status=RunStatus(run.status), phase=Phase(run.phase), error=run.error, failed_step=run.failed_step,
        started_at=run.started_at, ended_at=run.ended_at, superseded_by=run.superseded_by,
        signals=dict(run.signals or {}), steps={s.name: step_from_row(s) for s in sorted(steps, key=lambda s: s.position)},
    )


def run_values(state: RunState) -> Columns:
    return {c: _column_value(getattr(state, c)) for c in RUN_COLUMNS}


def step_values(step: StepState) -> Columns:
    return {c: _column_value(getattr(step, c)) for c in STEP_COLUMNS}


def changes(before: RunState, after: RunState) -> tuple[Columns, dict[str, Columns]]:
    """The run's and each step's columns that differ between two states."""
    run: Columns = {c: _column_value(getattr(after, c)) for c in RUN_COLUMNS if getattr(after, c) != getattr(before, c)}
    if before.status.active and not after.status.active:
        run.update(owner_pid=None, owner_token=None)  # the lease ends with the run's activity
    steps: dict[str, Columns] = {}
    for name, new in after.steps.items():
        old = before.steps.get(name)
        if old is None or old == new:
            continue
        steps[name] = {c: _column_value(getattr(new, c)) for c in STEP_COLUMNS if getattr(new, c) != getattr(old, c)}
    return run, steps


class FastUpdate:
    """``UPDATE table SET ... WHERE keys`` through the driver, with the columns' own bind processors.

    Building SQLAlchemy statements cost more than SQLite itself on the per-step path; the SQL
    for each set of columns is built once and the values still go through the column types
    (UTC datetimes, JSON text, booleans), so rows read back exactly as ORM-written ones.
    """

    def __init__(self, table: Table, keys: tuple[str, ...], dialect: Dialect) -> None:
        self._table = table
        self._keys = keys
        self._procs: dict[str, Callable[[Any], Any] | None] = {  # SQLAlchemy's own bind processor type
            c.name: c.type.bind_processor(dialect) for c in table.columns
        }
        self._sql: dict[tuple[str, ...], str] = {}
        self._dialect = dialect

    def __call__(self, conn: Connection, key_values: tuple[object, ...], values: Mapping[str, object]) -> int:
        cols = tuple(values)
        sql = self._sql.get(cols)
        if sql is None:
            for c in cols:
                if c not in self._procs:
                    raise KeyError(f"{self._table.name} has no column {c!r}")
            sets = ", ".join(f"{c} = ?" for c in cols)
            where = " AND ".join(f"{k} = ?" for k in self._keys)
            sql = self._sql[cols] = driver_sql(self._dialect, f"UPDATE {self._table.name} SET {sets} WHERE {where}")
        params: list[object] = []
        for c in cols:
            proc = self._procs[c]
            v = values[c]
            params.append(proc(v) if proc is not None and v is not None else v)
        return int(conn.exec_driver_sql(sql, (*params, *key_values)).rowcount)


def _table(clause: FromClause) -> Table:
    """A mapped class's ``__table__`` (typed as any FROM clause by SQLAlchemy) as the table it is."""
    assert isinstance(clause, Table)
    return clause


class Projection:
    """Writes the difference between two states of one run into its rows."""

    def __init__(self, dialect: Dialect) -> None:
        self._run = FastUpdate(_table(RunRec.__table__), ("id",), dialect)
        self._step = FastUpdate(_table(StepRec.__table__), ("run_id", "position"), dialect)

    def write(self, conn: Connection, run_id: str, before: RunState, after: RunState,
              lease: Mapping[str, object] | None = None) -> None:
        run, steps = changes(before, after)
        if lease:
            run.update(lease)
        if run:
            self._run(conn, (run_id,), run)
        if steps:
            position = {name: i for i, name in enumerate(after.steps)}  # steps are kept in their definition's order
            for name, values in steps.items():
                self._step(conn, (run_id, position[name]), values)
