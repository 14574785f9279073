"""The builds area's figures: per template and platform, and what it adds to a template's stats.

Plain reads of the builds table: ``BuildsService`` answers with them, and the composition root hands
:func:`template_build_stats` to the templates area as a stats source without building this area
(so ``templates list`` does not import the build pipeline).
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.builds.model import BuildState, Platform
from app.builds.outcome import Outcome, outcome_of
from app.builds.progress import BuildStats, compute_stats
from services.builds.models import BuildRecord
from services.context import ServiceContext
from services.ports import TemplateFigures

STATS_CHUNK = 1000  # rows converted at a time while the figures are folded


def build_stats(ctx: ServiceContext, template_ids: list[str] | None) -> list[BuildStats]:
    """Per template and platform; ``template_ids``: only theirs (read through the template's index)."""
    stmt = select(BuildRecord.template_id, BuildRecord.platform, BuildRecord.state, BuildRecord.duration_s,
                  BuildRecord.finished_at.is_not(None)).order_by(BuildRecord.created_at)
    if template_ids is not None:
        stmt = stmt.where(BuildRecord.template_id.in_(template_ids))
    groups: dict[tuple[str, str], list[tuple[Outcome, float | None]]] = {}
    # folded a chunk of rows at a time, and "finished" read as a flag, not a date: all 10,000 of a
    # studio's builds as rows at once were ~4 MB of short-lived objects at every Builds panel read,
    # whose few survivors kept the heap's arenas from being handed back
    with ctx.new_uow() as uow:
        for template_id, platform, state, duration, finished in uow.session.execute(
                stmt.execution_options(yield_per=STATS_CHUNK)):
            done = outcome_of(BuildState(state), Platform(platform), bool(finished))
            groups.setdefault((template_id, platform), []).append((done, duration))
    return [compute_stats(t, p, r) for (t, p), r in sorted(groups.items())]


def template_build_stats(ctx: ServiceContext, template_ids: list[str]) -> dict[str, TemplateFigures]:
    """Builds, success rate and last activity of each asked template (a stats source of the templates area)."""
    counts: dict[str, tuple[int, int, int]] = {}  # builds, succeeded, finished
    for st in build_stats(ctx, list(dict.fromkeys(template_ids))):  # the templates asked for, not every build
        builds, ok, done = counts.get(st.template_id, (0, 0, 0))
        counts[st.template_id] = (builds + st.builds, ok + st.succeeded, done + st.succeeded + st.failed)
    out: dict[str, TemplateFigures] = {
        tid: {"builds": builds, "last_activity": None, "build_success_rate": round(ok / done, 4) if done else None}
        for tid, (builds, ok, done) in counts.items()
    }
    if out:
        with ctx.new_uow() as uow:
            latest = uow.session.execute(
                select(BuildRecord.template_id, func.max(BuildRecord.created_at))
                .where(BuildRecord.template_id.in_(list(out))).group_by(BuildRecord.template_id)).all()
        for template_id, when in latest:
            out[template_id]["last_activity"] = when
    return out
