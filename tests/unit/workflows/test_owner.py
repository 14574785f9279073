"""Who owns a run: a live pid with the same start time; a dead or recycled pid does not."""

from __future__ import annotations

import os
import subprocess
import sys

from services.processes import owner_alive, pid_alive, process_start


def test_owner_alive_needs_the_same_process_not_just_the_same_pid() -> None:
    me = os.getpid()
    started = process_start(me)
    assert started.isdigit()
    assert owner_alive(me, f"{started}:abc")
    assert not owner_alive(me, f"{int(started) + 1}:abc")  # same pid, another process (recycled)


def test_a_reaped_child_is_not_alive() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not pid_alive(proc.pid)
    assert not owner_alive(proc.pid, None)
    assert not pid_alive(None) and not pid_alive(0)
