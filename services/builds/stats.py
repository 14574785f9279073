"""The builds area's figures: per template and platform, and what it adds to a template's stats.

Plain reads of the builds table: ``BuildsService`` answers with them, and the composition root hands
:func:`template_build_stats` to the templates area as a stats source without building this area
(so ``templates list`` does not import the build pipeline).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.builds.model import BuildState, Platform
from app.builds.outcome import Outcome, outcome_of
from app.builds.progress import BuildStats, compute_stats
from services.builds.models import BuildRecord
from services.context import ServiceContext


def build_stats(ctx: ServiceContext, template_ids: list[str] | None) -> list[BuildStats]:
    """Per template and platform; ``template_ids``: only theirs (read through the template's index)."""
    stmt = select(BuildRecord.template_id, BuildRecord.platform, BuildRecord.state, BuildRecord.duration_s,
                  BuildRecord.finished_at).order_by(BuildRecord.created_at)
    if template_ids is not None:
        stmt = stmt.where(BuildRecord.template_id.in_(template_ids))
    with ctx.new_uow() as uow:
        rows = uow.session.execute(stmt).all()
    groups: dict[tuple[str, str], list[tuple[Outcome, float | None]]] = {}
    for template_id, platform, state, duration, finished in rows:
        done = outcome_of(BuildState(state), Platform(platform), finished is not None)
        groups.setdefault((template_id, platform), []).append((done, duration))
    return [compute_stats(t, p, r) for (t, p), r in sorted(groups.items())]


def template_build_stats(ctx: ServiceContext, template_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Builds, success rate and last activity of each asked template (a stats source of the templates area)."""
    out: dict[str, dict[str, Any]] = {}
    for st in build_stats(ctx, list(dict.fromkeys(template_ids))):  # the templates asked for, not every build
        cur = out.setdefault(st.template_id, {"builds": 0, "_ok": 0, "_done": 0, "last_activity": None})
        cur["builds"] += st.builds
        cur["_ok"] += st.succeeded
        cur["_done"] += st.succeeded + st.failed
    if out:
        with ctx.new_uow() as uow:
            latest = uow.session.execute(
                select(BuildRecord.template_id, func.max(BuildRecord.created_at))
                .where(BuildRecord.template_id.in_(list(out))).group_by(BuildRecord.template_id)).all()
        for template_id, when in latest:
            out[template_id]["last_activity"] = when
    for cur in out.values():
        done = cur.pop("_done")
        ok = cur.pop("_ok")
        cur["build_success_rate"] = round(ok / done, 4) if done else None
    return out
