"""Wires the payments area into the composition root (called by services.bootstrap)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager

log = logging.getLogger(__name__)


def wire(manager: ServiceManager) -> None:
    from services.payments.service import PaymentsService

    svc = PaymentsService(manager.ctx, manager.settings)
    manager.extra["payments"] = svc
    templates = manager.extra.get("templates")
    register = getattr(templates, "register_stats_source", None)
    if callable(register):
        try:
            register("payments", svc.template_revenue)
        except Exception:
            log.exception("could not register payments as a template stats source")
