"""A build awaited to its end as the CLI awaits it: on a qasync loop, the job's signal (no polling)."""

from __future__ import annotations

import asyncio

from app.builds.model import BuildInfo
from services.builds.service import BuildsService
from ui.cli.loop import run_on_loop


def ended(builds: BuildsService, build_id: str, timeout_s: float = 600.0) -> BuildInfo:
    return run_on_loop(lambda: asyncio.wait_for(builds.finished(build_id), timeout_s))
