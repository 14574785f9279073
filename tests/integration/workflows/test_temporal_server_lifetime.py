"""The tests' Temporal dev server ends with the test run that started it, even a run that is SIGKILLed
(a killed pytest used to leave a dev server running on the machine)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

ROOT = Path(__file__).resolve().parents[3]

TEST_RUN = r'''
import pathlib, sys, time
from tests.support.temporal_server import start_server

server = start_server(pathlib.Path(sys.argv[1]))
print(server.process.pid, flush=True)
time.sleep(600)
'''


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.child_process
def test_a_killed_test_run_takes_its_dev_server_with_it(tmp_path: Path, qtbot: QtBot) -> None:
    script = tmp_path / "test_run.py"
    script.write_text(TEST_RUN)
    run = subprocess.Popen([sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert run.stdout is not None
        server_pid = int(run.stdout.readline())
        assert _running(server_pid)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    qtbot.waitUntil(lambda: not _running(server_pid), timeout=30_000)
