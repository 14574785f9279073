"""The payments area's health, read from the providers' failure records alone.

``PaymentsService.health`` and the composition root's health report (which does not build the area
for it) both answer with :func:`providers_health`.
"""

from __future__ import annotations

from sqlalchemy import select

from app.health import Health, HealthState
from app.payments.model import Provider
from services.context import ServiceContext
from services.payments.models import ProviderHealthRecord

NAME = "payments"


def providers_health(ctx: ServiceContext) -> Health:
    """Degraded while a provider is marked unhealthy (its cool-down after failures in a row)."""
    try:
        with ctx.new_uow() as uow:
            rows: dict[str, str | None] = {str(k): v for k, v in uow.session.execute(
                select(ProviderHealthRecord.provider, ProviderHealthRecord.last_error)
                .where(ProviderHealthRecord.state == "unhealthy"))}
    except Exception as exc:  # noqa: BLE001 - health must report, not raise
        return Health(NAME, HealthState.DOWN, str(exc))
    bad = [(p.value, rows[p.value]) for p in Provider if p.value in rows]
    if bad:
        return Health(NAME, HealthState.DEGRADED, "; ".join(f"{p} unhealthy ({error})" for p, error in bad))
    return Health(NAME, HealthState.OK, "providers ok")
