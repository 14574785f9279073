"""A run's status, in a module of its own: health counts runs by status without importing the workflow model.

:mod:`app.workflows.model` re-exports both names; the fold there decides when a run takes each status.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPENSATING = "compensating"
    INTERRUPTED = "interrupted"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a step failed and there was nothing to undo
    COMPENSATED = "compensated"  # a step failed and every completed step was undone
    COMPENSATION_FAILED = "compensation_failed"  # ... and at least one undo failed too
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in FINAL_RUN_STATUSES

    @property
    def active(self) -> bool:
        return self in ACTIVE_RUN_STATUSES


FINAL_RUN_STATUSES = frozenset(
    {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.COMPENSATED, RunStatus.COMPENSATION_FAILED, RunStatus.CANCELLED}
)
#: a run some process is driving (or was, until recovery finds it gone)
ACTIVE_RUN_STATUSES = frozenset({RunStatus.PENDING, RunStatus.RUNNING, RunStatus.COMPENSATING})
