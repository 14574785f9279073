"""The workflows area's health: runs left interrupted, beside what runs them.

``WorkflowsService.health`` answers with :func:`runs_health`.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.health import Health, HealthState
from app.workflows.model import RunStatus
from services.context import ServiceContext
from services.workflows.models import WorkflowRunRecord

NAME = "workflows"


def runs_health(ctx: ServiceContext, detail: str) -> Health:
    """Degraded while a run is left interrupted; ``detail``: what runs them (its actions, Temporal)."""
    with ctx.new_uow() as uow:
        n = uow.session.scalar(select(func.count()).select_from(WorkflowRunRecord)
                               .where(WorkflowRunRecord.status == RunStatus.INTERRUPTED.value)) or 0
    if n:
        return Health(NAME, HealthState.DEGRADED, f"{n} interrupted run(s): resume, compensate or re-run them ({detail})")
    return Health(NAME, HealthState.OK, detail)
