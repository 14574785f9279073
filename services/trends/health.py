"""The trends area's health: its enabled sources and their failure records.

``TrendsService.health`` and the composition root's health report (which does not build the area
for it) both answer with :func:`sources_health`; :func:`enabled_sources` reads the setting for both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from sqlalchemy import select

from app.errors import UserError
from app.health import Health, HealthState
from app.trends.model import DEFAULT_ENABLED, FETCHABLE, SourceName, parse_source
from services.context import ServiceContext
from services.trends.models import SourceHealthRecord

NAME = "trends"
SETTING_ENABLED = "trends.enabled_sources"


def enabled_sources(settings_get: Callable[[str], object]) -> list[SourceName]:
    raw = settings_get(SETTING_ENABLED)
    if not isinstance(raw, list):
        return list(DEFAULT_ENABLED)
    out = []
    for v in raw:
        with contextlib.suppress(UserError):
            s = parse_source(str(v))
            if s in FETCHABLE:
                out.append(s)
    return out


def sources_health(ctx: ServiceContext, enabled: Sequence[SourceName]) -> Health:
    """Degraded while an enabled source's last syncs failed."""
    with ctx.new_uow() as uow:
        rows: dict[str, str | None] = {str(k): v for k, v in uow.session.execute(
            select(SourceHealthRecord.name, SourceHealthRecord.last_error)
            .where(SourceHealthRecord.failures > 0))}
    failing = [(s.value, rows[s.value]) for s in FETCHABLE if s in enabled and s.value in rows]
    if failing:
        return Health(NAME, HealthState.DEGRADED, "; ".join(f"{n}: {error}" for n, error in failing)[:300])
    return Health(NAME, HealthState.OK, f"sources: {', '.join(s.value for s in enabled)}")
