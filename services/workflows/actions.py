"""Moved to :mod:`services.actions` (below the areas, so each area registers its own actions)."""

from services.actions import ActionContext, ActionFunc, ActionRegistry, ActionResult, ActionSpec, ApprovalSignals, Param

__all__ = ["ActionContext", "ActionFunc", "ActionRegistry", "ActionResult", "ActionSpec", "ApprovalSignals", "Param"]
