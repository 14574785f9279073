"""The tests' private PostgreSQL server is a child of the run that started it: a run killed outright
(SIGKILL, no clean-up) takes its server with it instead of leaving a cluster behind."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OWNER = """
import sys, time
from tests.support.postgres import start_cluster
cluster = start_cluster()
print(cluster.root, cluster.server.pid, flush=True)
time.sleep(120)  # killed by the test long before
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_a_killed_run_takes_its_postgres_server_with_it() -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert owner.stdout is not None
    line = owner.stdout.readline().split()
    assert len(line) == 2, "the owner did not start a cluster"
    root, server_pid = Path(line[0]), int(line[1])
    watch = os.pidfd_open(server_pid)
    try:
        assert _alive(server_pid)
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        ended, _, _ = select.select([watch], [], [], 10)  # readable once the server has exited
        assert ended and not _alive(server_pid), "the PostgreSQL server outlived the run that owned it"
    finally:
        os.close(watch)
        if _alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)
