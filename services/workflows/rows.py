"""The shapes the workflows service answers with, from either engine (in-process or Temporal).

A run's row is what ``workflow history`` lists; its detail adds the step timeline ``workflow
show`` prints and the Workflows panel draws. The in-process engine builds them from its stored
rows, Temporal's side from visibility and a run's history; ``--json`` prints them as they are.
"""

# no ``from __future__ import annotations``: the keys' NotRequired must be seen at run time (``__required_keys__``)
from datetime import datetime
from typing import NotRequired, TypedDict

from app.jsonvalue import JsonObject, JsonValue, as_object
from app.timeutil import to_iso


def row_time(value: datetime | None) -> str | None:
    """A time as a row shows it: ISO, UTC (None if it has not happened)."""
    return to_iso(value) if value is not None else None


def row_duration(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end``, to the millisecond (None unless both happened)."""
    if start is None or end is None:
        return None
    return round(float((end - start).total_seconds()), 3)


class StepRow(TypedDict):
    position: int
    name: str
    action: str
    status: str  # a StepStatus value
    attempts: int
    inputs: JsonValue  # what the step was called with (None before it ran)
    output: JsonValue
    error: str | None
    error_type: str | None
    started_at: str | None  # ISO times, UTC
    ended_at: str | None
    duration: float | None  # seconds
    reused: bool
    compensation_action: str | None
    compensation_error: str | None
    compensation_attempts: int
    compensated_at: str | None
    worker: NotRequired[str | None]  # on Temporal: the worker (pid@host) that ran its last attempt


def output_of(step: StepRow) -> JsonObject:
    """A copy of the step's output object (empty if it has none yet)."""
    return dict(as_object(step["output"] or {}, f"the output of step {step['name']!r}"))


class RunRow(TypedDict):
    id: str
    workflow: str
    version: int
    status: str  # a RunStatus value
    phase: str
    inputs: JsonObject
    error: str | None
    failed_step: str | None
    created_at: str | None
    started_at: str | None
    ended_at: str | None
    duration: float | None
    rerun_of: str | None
    superseded_by: str | None
    cancel_requested: bool
    engine: NotRequired[str]  # "temporal" for a run there; absent for one run in-process
    undo: NotRequired[str | None]  # on Temporal: the id of the run's undo workflow, if it was asked to be undone


class RunDetail(RunRow):
    steps: list[StepRow]
    live: bool  # a process (or Temporal worker) is running it now


class InputRow(TypedDict):
    name: str
    type: str
    required: bool
    default: JsonValue
    description: str


class DefinitionRow(TypedDict):
    name: str
    title: str
    version: int
    origin: str  # builtin | user
    description: str
    steps: list[str]
    inputs: list[InputRow]
    missing_actions: list[str]
    runnable: bool
    runs: int
