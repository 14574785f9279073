"""The payments area's health, read from the providers' failure records alone.

``PaymentsService.health`` and the composition root's health report (which does not build the area
for it) both answer with :func:`providers_health`. Whether a provider is rested, and for how long, is
the rule in ``app/failures.py`` with :data:`PROVIDER_REST`; the record stores its :class:`FailureRun`.
"""

from __future__ import annotations

from sqlalchemy import select

from app.failures import FailureRun, Growth, RestPolicy, Standing
from app.health import Health, HealthState
from app.payments.provider import Provider
from services.context import ServiceContext
from services.payments.health_models import ProviderHealthRecord

NAME = "payments"
# three failed operations in a row rest a provider for five minutes; each failure after a rest rests it again
PROVIDER_REST = RestPolicy(threshold=3, base=300.0, cap=300.0, growth=Growth.FIXED)


def provider_run(rec: ProviderHealthRecord | None) -> FailureRun:
    if rec is None:
        return FailureRun()
    return FailureRun(failures=rec.consecutive_failures or 0, last_error=rec.last_error,
                      resting_until=rec.unhealthy_until)


def store_run(rec: ProviderHealthRecord, run: FailureRun) -> None:
    rec.consecutive_failures = run.failures
    rec.last_error = run.last_error if run.failures else rec.last_error
    rec.unhealthy_until = run.resting_until
    rec.state = run.standing(PROVIDER_REST).value


def providers_health(ctx: ServiceContext) -> Health:
    """Degraded while a provider is marked unhealthy (its cool-down after failures in a row)."""
    try:
        with ctx.new_uow() as uow:
            runs = {r.provider: provider_run(r) for r in uow.session.scalars(select(ProviderHealthRecord))}
    except Exception as exc:  # noqa: BLE001 - health must report, not raise
        return Health(NAME, HealthState.DOWN, str(exc))
    bad = [(p.value, run.last_error) for p in Provider
           if (run := runs.get(p.value)) is not None and run.standing(PROVIDER_REST) is Standing.UNHEALTHY]
    if bad:
        return Health(NAME, HealthState.DEGRADED, "; ".join(f"{p} unhealthy ({error})" for p, error in bad))
    return Health(NAME, HealthState.OK, "providers ok")
