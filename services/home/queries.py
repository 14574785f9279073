"""The few counts Home needs that no area exposes: each one an indexed COUNT or a short list.

Read-only; kept here so Home's cost is visible in one place (every query hits an index:
builds.state, workflow_runs.status, build_deployments.build_id).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.builds.outcome import SUCCEEDED
from app.workflows.model import RunStatus, StepStatus
from services.builds.models import BuildRecord, DeploymentRecord
from services.builds.outcome_sql import where
from services.workflows.models import WorkflowRunRecord, WorkflowStepRecord

APPROVAL_ACTION = "wait_for_approval"


def succeeded_builds(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(BuildRecord).where(where(SUCCEEDED))) or 0)


def releases(session: Session) -> int:
    d = DeploymentRecord
    return int(session.scalar(select(func.count()).select_from(d).where(d.ok.is_(True), d.dry_run.is_(False))) or 0)


def builds_matching(session: Session, text: str, limit: int) -> list[tuple[str, str, str, str]]:
    """(id, template, version, state) of builds whose id starts with, or template contains, ``text``."""
    b = BuildRecord
    like = _escape(text)
    rows = session.execute(
        select(b.id, b.template_id, b.version_name, b.state)
        .where(b.id.like(f"{like}%", escape="\\") | b.template_id.like(f"%{like}%", escape="\\"))
        .order_by(b.created_at.desc()).limit(limit)).all()
    return [(str(a), str(t), str(v), str(s)) for a, t, v, s in rows]


def runs_matching(session: Session, text: str, limit: int) -> list[tuple[str, str, str]]:
    """(id, workflow, status) of runs whose id starts with, or workflow contains, ``text``."""
    r = WorkflowRunRecord
    like = _escape(text)
    rows = session.execute(
        select(r.id, r.workflow, r.status)
        .where(r.id.like(f"{like}%", escape="\\") | r.workflow.like(f"%{like}%", escape="\\"))
        .order_by(r.created_at.desc()).limit(limit)).all()
    return [(str(a), str(w), str(s)) for a, w, s in rows]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def runs_waiting_for_approval(session: Session, limit: int) -> list[tuple[str, str, str]]:
    """(run id, workflow, step) of running runs whose current step waits for a person."""
    r, s = WorkflowRunRecord, WorkflowStepRecord
    rows = session.execute(
        select(r.id, r.workflow, s.name).join(s, s.run_id == r.id)
        .where(r.status == RunStatus.RUNNING.value, s.action == APPROVAL_ACTION, s.status == StepStatus.RUNNING.value)
        .order_by(r.created_at.desc()).limit(limit)).all()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def interrupted_runs(session: Session, limit: int) -> list[tuple[str, str, str]]:
    """(run id, workflow, failed or current step) of runs found interrupted."""
    r = WorkflowRunRecord
    rows = session.execute(
        select(r.id, r.workflow, r.failed_step).where(r.status == RunStatus.INTERRUPTED.value)
        .order_by(r.created_at.desc()).limit(limit)).all()
    return [(str(a), str(b), str(c or "")) for a, b, c in rows]
