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
    # per-template revenue in the templates area's stats (register_stats_source(fn(ids) -> {id: figures}))
    templates = manager.extra.get("templates")
    register = getattr(templates, "register_stats_source", None)
    if callable(register):
        try:
            register(svc.template_stats)
        except Exception:
            log.exception("could not register payments as a template stats source")
