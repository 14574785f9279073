"""A build's Python steps (hashing, deploying) run on the job runtime's worker threads, and a cancel
that arrives while one runs ends the build when it returns, with its result dropped."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app.builds.deployment import DeployResult
from app.builds.model import BuildState
from services.builds.service import BuildsService


def test_a_cancel_during_a_running_python_step_ends_the_build_cancelled_when_it_returns(
        builds: BuildsService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any) -> None:
    entered = threading.Event()
    release = threading.Event()
    ran_on: list[str] = []
    real_deploy = builds._deploy_artifact

    def slow_deploy(*args: Any, **kwargs: Any) -> DeployResult:
        # a slow upload: the real folder deploy, after the test lets it go on
        ran_on.append(threading.current_thread().name)
        entered.set()
        release.wait(20)
        return real_deploy(*args, **kwargs)

    monkeypatch.setattr(builds, "_deploy_artifact", slow_deploy)
    dest = tmp_path / "web"
    info = builds.start_build("quotes-daily", "1.0.0", "web", deploy=f"folder:{dest}")
    qtbot.waitUntil(entered.is_set, timeout=60_000)
    builds.cancel(info.id)
    assert builds.runner.job(info.id) is not None  # still running: Python code cannot be killed
    with qtbot.waitSignal(builds.runner.job_finished, timeout=20_000) as finished:
        release.set()
    assert finished.args == [info.id, BuildState.CANCELLED.value]
    done = builds.get(info.id)
    assert done.state is BuildState.CANCELLED and not done.deployments
    assert ran_on and ran_on[0].startswith("trendforge-job")
