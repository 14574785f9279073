"""Actions backed by the other areas' services, registered only when those services exist.

Areas land independently; an area that is not in ``manager.extra`` contributes no actions
(definitions that need them are listed as not runnable, never faked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.workflows.actions import ActionRegistry

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager

AREAS = ("trends", "templates", "builds", "payments")


def register_area_actions(registry: ActionRegistry, manager: ServiceManager) -> tuple[dict[str, list[str]], list[str]]:
    """Returns (actions registered per area, areas absent)."""
    registered: dict[str, list[str]] = {}
    missing = [a for a in AREAS if a not in manager.extra]
    return registered, missing
