"""Wires the trends area into the composition root (called by services.bootstrap)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager


def wire(manager: ServiceManager) -> None:
    """Build the TrendsService; it sees the other areas' services through ``manager.extra``."""
    from services.trends.service import TrendsService

    svc = TrendsService(manager.ctx, manager.settings, extras=manager.extra)  # type: ignore[arg-type]
    manager.extra["trends"] = svc
    manager.on_close(svc.close)
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is not None:  # the GUI: sync on schedule from start-up
        svc.start_schedule()
