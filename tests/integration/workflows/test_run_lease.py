"""Workflow run ownership by leases: a machine that dies holding a run loses it to another once its lease lapses.

Machine A is a real process with its own TRENDFORGE_HOST (so its pid means nothing to the test's
process, machine B) that starts a run waiting for approval and is SIGKILLed while the run is live.
B's recovery leaves the run alone while A's lease (2 s here) holds, then records it interrupted
exactly once, saying that the machine stopped renewing its lease. Runs on both backends.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from services.bootstrap import Services
from services.leases import LeaseRecord, run_resource

ROOT = Path(__file__).resolve().parents[3]

MACHINE_A = r'''
import asyncio, pathlib, sys
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore

manager = bootstrap(AppConfig.from_env(pathlib.Path(sys.argv[1])), secrets=MemorySecretStore())
svc = manager.workflows

async def main():
    run_id = svc.engine.start(svc.get_definition("approval-demo"), {})
    print(run_id, flush=True)
    await svc.wait(run_id)  # waits for an approval that never comes, renewing the run's lease meanwhile

asyncio.run(main())
'''


def _lease_rows(services: Services, run_id: str) -> list[str]:
    """The hosts holding the run's lease (one row at most)."""
    with services.ctx.new_uow() as uow:
        return list(uow.session.scalars(select(LeaseRecord.host).where(LeaseRecord.resource == run_resource(run_id))))


@pytest.mark.slow
def test_a_run_of_a_killed_machine_is_recovered_after_its_lease_lapses(
        services: Services, tmp_path: Path, qtbot: QtBot) -> None:
    script = tmp_path / "machine_a.py"
    script.write_text(MACHINE_A)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "TRENDFORGE_HOST": "machine-a",
           "TRENDFORGE_LEASE_SECONDS": "2"}
    env.pop("TRENDFORGE_HOME", None)
    a = subprocess.Popen([sys.executable, str(script), str(services.config.data_dir)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert a.stdout is not None
        run_id = a.stdout.readline().strip()
        assert run_id, a.stderr.read() if a.stderr else ""
        wf = services.workflows
        qtbot.waitUntil(lambda: any(s["status"] == "running" for s in wf.show(run_id)["steps"]), timeout=30_000)
        os.kill(a.pid, signal.SIGKILL)  # the machine dies holding the run
        a.wait(timeout=30)
    finally:
        if a.poll() is None:
            a.kill()
    assert _lease_rows(services, run_id) == ["machine-a"]
    assert wf.recover() == []  # A's lease has not lapsed yet: the run is still A's
    assert wf.show(run_id)["status"] == "running"
    qtbot.waitUntil(lambda: wf.recover() == [run_id], timeout=30_000)
    shown = wf.show(run_id)
    assert shown["status"] == "interrupted"
    assert "stopped renewing its lease" in (shown["error"] or "")
    assert wf.recover() == []  # recovered once
    assert _lease_rows(services, run_id) == []


def test_a_run_that_ends_lets_go_of_its_lease(services: Services) -> None:
    wf = services.workflows

    async def run() -> str:
        run_id = wf.engine.start(wf.get_definition("approval-demo"), {})
        assert len(_lease_rows(services, run_id)) == 1  # taken with the run's record
        wf.approve(run_id)
        await wf.wait(run_id)
        return run_id

    run_id = asyncio.run(run())
    assert wf.show(run_id)["status"] == "succeeded"
    assert _lease_rows(services, run_id) == []
