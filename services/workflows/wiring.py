"""Wires the workflows area into the composition root (called by services.bootstrap last)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.workflows.area_actions import register_area_actions
from services.workflows.service import WorkflowsService

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager


def wire(manager: ServiceManager) -> None:
    """Build the service, register every action whose area is present, store built-ins, recover."""
    svc = WorkflowsService(manager.ctx, manager)
    svc.area_actions, svc.missing_areas = register_area_actions(svc.registry, manager)
    svc.sync_builtins()
    svc.recover()  # runs left in flight by a dead process become 'interrupted'
    manager.extra["workflows"] = svc
    manager.on_close(svc.engine.close)  # live runs are recorded as interrupted on exit
