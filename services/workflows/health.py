"""The workflows area's health: runs left interrupted, beside where new runs go.

``WorkflowsService.health`` and the composition root's health report (which does not build the area, nor
import the engine or the workflow model, for it) both answer with :func:`runs_health`.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from app.health import Health, HealthState
from app.workflows.status import RunStatus
from services.context import ServiceContext
from services.leases import Leases
from services.workflows.models import WorkflowRunRecord
from services.workflows.orphans import find_orphans, run_leases
from services.workflows.temporal.config import TemporalConfig

NAME = "workflows"


def runs_health(ctx: ServiceContext, temporal: TemporalConfig | None, *, leases: Leases | None = None,
                live: Collection[str] = ()) -> Health:
    """Degraded while a run is interrupted or left in flight by a gone process (which recovery marks
    interrupted: counted alike before and after it ran). ``temporal``: where new runs go (team mode);
    ``live``: the runs this process drives."""
    with ctx.new_uow() as uow:
        n = uow.session.scalar(select(func.count()).select_from(WorkflowRunRecord)
                               .where(WorkflowRunRecord.status == RunStatus.INTERRUPTED.value)) or 0
        n += len(find_orphans(uow.session, leases or run_leases(ctx), live=live).ids)
    detail = "runs on this machine" if temporal is None else f"new runs on {temporal.where}"
    if n:
        return Health(NAME, HealthState.DEGRADED, f"{n} interrupted run(s): resume, compensate or re-run them ({detail})")
    return Health(NAME, HealthState.OK, detail)
