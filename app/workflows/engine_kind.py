"""What runs workflows, in a module of its own: settings check it without importing the workflow model."""

from __future__ import annotations

from enum import StrEnum


class EngineKind(StrEnum):
    """What runs workflows: the in-process engine (the default) or Temporal workers (team mode)."""

    LOCAL = "local"
    TEMPORAL = "temporal"
