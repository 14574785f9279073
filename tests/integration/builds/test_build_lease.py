"""Build ownership by leases: a machine that dies holding a build loses it to another once its lease lapses.

Machine A is a real process (its own TRENDFORGE_HOST, so its pid means nothing to the test's
process, machine B) that starts a build and is SIGKILLed while the build is still active. B
recovers the build only after A's lease (2 s here) has lapsed, and says which machine went away.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.builds.model import BuildState
from services.bootstrap import Services
from services.leases import Leases, build_resource

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"

MACHINE_A = r'''
import sys
from PySide6.QtCore import QCoreApplication
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from tests.support.qasync_loop import build_ended

app = QCoreApplication([])
manager = bootstrap(AppConfig.from_env(sys.argv[1]), secrets=MemorySecretStore())
manager.builds.create_key("lease")
build = manager.builds.start_build("quotes-daily", "1.0.0", "apk", key_alias="lease")
print(build.id, flush=True)
manager.build_ended(builds, build.id, 600)  # renews its lease on the heartbeat meanwhile
'''


@pytest.mark.slow
def test_a_build_of_a_killed_machine_is_recovered_after_its_lease_lapses(
        services: Services, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    assert services.templates.import_paths([SAMPLE])[0].ok
    script = tmp_path / "machine_a.py"
    script.write_text(MACHINE_A)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "TRENDFORGE_HOST": "machine-a",
           "TRENDFORGE_LEASE_SECONDS": "2"}
    env.pop("TRENDFORGE_HOME", None)
    a = subprocess.Popen([sys.executable, str(script), str(services.config.data_dir)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert a.stdout is not None
        build_id = a.stdout.readline().strip()
        assert build_id, a.stderr.read() if a.stderr else ""
        os.kill(a.pid, signal.SIGKILL)  # the machine dies holding the build
        a.wait(timeout=30)
    finally:
        if a.poll() is None:
            a.kill()
    builds = services.builds  # machine B: another host, so only the lease can tell it A is gone
    monkeypatch.setattr(builds.leases, "host", "machine-b")
    builds.invalidate()
    held = builds.get(build_id)
    assert held.state in (BuildState.QUEUED, BuildState.RUNNING)
    assert builds.recover_lapsed() == 0  # the lease A took has not lapsed yet: the build is still A's
    qtbot.waitUntil(lambda: builds.recover_lapsed() == 1, timeout=30_000)
    builds.invalidate()
    done = builds.get(build_id)
    assert done.state is BuildState.FAILED
    assert done.error is not None and "machine-a stopped renewing its lease" in done.error
    assert "recovered by machine-b" in done.error
    assert builds.recover_lapsed() == 0  # recovered once


def test_only_one_process_takes_over_a_lapsed_lease(services: Services) -> None:
    now = services.ctx.clock()
    clock = [now]
    first = Leases(services.ctx.engine, lambda: clock[0], ttl_s=5, host="machine-a")
    second = Leases(services.ctx.engine, lambda: clock[0], ttl_s=5, host="machine-b")
    third = Leases(services.ctx.engine, lambda: clock[0], ttl_s=5, host="machine-c")
    resource = build_resource("b1")
    with services.ctx.new_uow() as uow:
        first.take(uow.session, resource)
        uow.commit()
    with services.ctx.new_uow() as uow:
        assert not second.take_over(uow.session, resource)  # held and fresh
        uow.commit()
    clock[0] = now + timedelta(seconds=4)
    assert first.renew() == 1  # the heartbeat pushes it on
    clock[0] = now + timedelta(seconds=8)
    with services.ctx.new_uow() as uow:
        assert not second.take_over(uow.session, resource)  # renewed at 4 s: good until 9 s
        uow.commit()
    clock[0] = now + timedelta(seconds=10)
    with services.ctx.new_uow() as uow:
        assert second.take_over(uow.session, resource)
        uow.commit()
    with services.ctx.new_uow() as uow:
        assert not third.take_over(uow.session, resource)  # the winner holds it now
        assert first.holders(uow.session, [resource])[resource].host == "machine-b"
