"""The builds area's health: the Android tools on PATH (and how many builds this process runs).

``BuildsService.health`` and the composition root's health report (which does not build the area
for it) both answer with :func:`toolchain_health`.
"""

from __future__ import annotations

import shutil

from app.health import Health, HealthState
from services.system import TOOL_PACKAGES

NAME = "builds"


def toolchain_health(running: int) -> Health:
    """Degraded while a build tool is missing (adb is only for installs); else how many builds run here."""
    missing = [f"{t} ({p})" for t, p in TOOL_PACKAGES.items() if t != "adb" and shutil.which(t) is None]
    if missing:
        return Health(NAME, HealthState.DEGRADED, "missing tools: " + ", ".join(missing))
    return Health(NAME, HealthState.OK, f"{running} running")
