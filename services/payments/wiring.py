"""Wires the payments area into the composition root (called by services.bootstrap)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager


def wire(manager: ServiceManager) -> None:
    """Build this area's services and register them on the manager. Nothing here yet."""
