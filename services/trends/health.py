"""The trends area's health: its enabled sources and their failure records.

``TrendsService.health`` and the composition root's health report (which does not build the area
for it) both answer with :func:`sources_health`; :func:`enabled_sources` reads the setting for both.
How long a failing source is left alone is the rule in ``app/failures.py`` with :data:`SOURCE_REST`;
the record stores its :class:`FailureRun`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from sqlalchemy import select

from app.errors import UserError
from app.failures import FailureRun, Growth, RestPolicy, Standing
from app.health import Health, HealthState
from app.trends.model import DEFAULT_ENABLED, FETCHABLE, SourceName, parse_source
from services.context import ServiceContext
from services.trends.health_models import SourceHealthRecord

NAME = "trends"
SETTING_ENABLED = "trends.enabled_sources"
# every failure rests a source: a minute, doubling per failure in a row, at most six hours
SOURCE_REST = RestPolicy(threshold=1, base=60.0, cap=6 * 3600.0, growth=Growth.EXPONENTIAL)


def source_run(rec: SourceHealthRecord | None) -> FailureRun:
    if rec is None:
        return FailureRun()
    return FailureRun(failures=rec.failures or 0, last_error=rec.last_error or None, resting_until=rec.backoff_until)


def store_run(rec: SourceHealthRecord, run: FailureRun) -> None:
    rec.failures = run.failures
    if run.last_error is not None:
        rec.last_error = run.last_error
    rec.backoff_until = run.resting_until


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
        runs = {r.name: source_run(r) for r in uow.session.scalars(select(SourceHealthRecord))}
    failing = [(s.value, run.last_error) for s in FETCHABLE
               if s in enabled and (run := runs.get(s.value)) is not None and run.standing(SOURCE_REST) is Standing.UNHEALTHY]
    if failing:
        return Health(NAME, HealthState.DEGRADED, "; ".join(f"{n}: {error}" for n, error in failing)[:300])
    return Health(NAME, HealthState.OK, f"sources: {', '.join(s.value for s in enabled)}")
