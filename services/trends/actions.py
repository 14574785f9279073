"""The trends area's workflow actions: ``trends.pick`` and ``trends.sync``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from services.actions import ActionContext, ActionRegistry, Param

if TYPE_CHECKING:
    from services.trends.service import TrendsService


def register_actions(registry: ActionRegistry, trends: Callable[[], TrendsService]) -> None:
    """``trends()`` gives the service when an action runs (the area is built on first use)."""

    @registry.action(
        "trends.pick", Param("min_score", float, required=False, default=0.0), Param("trend_id", str, required=False),
        idempotent=True, area="trends", description="Pick the best emerging trend (or the given one)",
    )
    def pick(actx: ActionContext, min_score: float = 0.0, trend_id: str | None = None) -> dict[str, Any]:
        return dict(trends().pick(min_score=min_score, trend_id=trend_id))

    @registry.action(
        "trends.sync", Param("source", str, required=False), idempotent=True, area="trends",
        description="Pull fresh trends from one source (or all)",
    )
    async def sync(actx: ActionContext, source: str | None = None) -> dict[str, Any]:
        report = await trends().sync(source)
        return dict(report.to_dict())
