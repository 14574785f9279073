"""Wires the templates area into the composition root (called by services.bootstrap)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager


def wire(manager: ServiceManager) -> None:
    """Build the templates service and register it as ``manager.extra["templates"]``."""
    from services.templates.service import TemplatesService

    svc = TemplatesService(manager.ctx)
    manager.extra["templates"] = svc
    svc.recover_store()  # a replace killed before its commit: the database decides which folder is live
