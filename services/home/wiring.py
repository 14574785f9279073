"""Wires Home into the composition root (called by services.bootstrap, after every area)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.health import Health
    from services.bootstrap import ServiceManager


def wire(manager: ServiceManager) -> None:
    from app.health import Health, HealthState
    from services.home.service import HomeService

    def checks() -> list[Health]:
        """The same checks as the status bar's, without Home's own."""
        return [Health(s["name"], HealthState(s["state"]), s["detail"])
                for s in manager.health()["services"] if s["name"] != HomeService.name]

    manager.extra["home"] = HomeService(
        manager.ctx,
        settings=manager.settings,
        templates=manager.templates,
        builds=manager.builds,
        payments=manager.payments,
        trends=manager.trends,
        workflows=manager.workflows,
        checks=checks,
    )
