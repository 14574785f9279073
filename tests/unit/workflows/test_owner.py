"""Who owns a run: a live pid with the same start time; a dead or recycled pid does not."""

from __future__ import annotations

import os
import subprocess
import sys

from services.processes import host_tag, owner_alive, pid_alive, process_start, run_owner_token


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


def test_a_run_of_another_machine_is_not_this_machines_to_recover() -> None:
    """On a shared store a pid recorded by another machine means nothing here: its run is left to that machine."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # a pid that is dead here
    elsewhere = f"123:h{host_tag('studio-b')}abcde"
    here = f"123:h{host_tag()}abcde"
    assert host_tag("studio-b") != host_tag()
    assert owner_alive(proc.pid, elsewhere)
    assert not owner_alive(proc.pid, here)


def test_the_engine_token_names_this_machine_and_fits_its_column() -> None:
    token = run_owner_token()
    started, _, rest = token.partition(":")
    assert started == process_start(os.getpid()) and rest[1:7] == host_tag() and len(token) <= 32
    assert owner_alive(os.getpid(), token)
