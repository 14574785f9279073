"""Wires the releases area (Google Play) into the composition root and gives builds its Play port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.releases.service import ReleasesService

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager


def wire(manager: ServiceManager) -> None:
    svc = ReleasesService(manager.ctx, base_url=lambda: manager.settings.base_url("PLAY"))
    manager.extra["releases"] = svc
    manager.on_close(svc.close)
    builds = manager.extra.get("builds")
    if builds is not None:
        builds.play = svc  # type: ignore[attr-defined]
