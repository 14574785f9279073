"""Tools left behind by a dead owner are found by the owner token in their environment (real processes)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.processes import OWNER_ENV, SCOPE_ENV, end_orphaned_tools, owner_token, process_start


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(10)


@pytest.fixture
def here(tmp_path: Path) -> Path:
    """The data dir whose recovery runs in the test."""
    return tmp_path / "home"


def _tool(procs: list[subprocess.Popen[bytes]], token: str, scope: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(["sleep", "60"], env={**os.environ, OWNER_ENV: token, SCOPE_ENV: str(scope.resolve())},
                            start_new_session=True)
    procs.append(proc)
    return proc


def _dead_token() -> str:
    gone = subprocess.Popen(["true"])
    started = process_start(gone.pid)
    gone.wait()
    return f"{gone.pid}:{started}"


def test_a_tool_whose_owner_is_gone_is_ended(spawn: list[subprocess.Popen[bytes]], here: Path) -> None:
    tool = _tool(spawn, _dead_token(), here)
    assert tool.pid in end_orphaned_tools(here)  # its own session: the group id is its pid
    assert tool.wait(5) == -9


def test_a_tool_whose_owner_runs_is_left_alone(spawn: list[subprocess.Popen[bytes]], here: Path) -> None:
    tool = _tool(spawn, owner_token(), here)
    assert tool.pid not in end_orphaned_tools(here)
    assert tool.poll() is None


def test_a_recycled_owner_pid_is_not_taken_for_the_owner(spawn: list[subprocess.Popen[bytes]], here: Path) -> None:
    tool = _tool(spawn, f"{os.getpid()}:1", here)  # this pid, but not the process that started the tool
    assert tool.pid in end_orphaned_tools(here)
    assert tool.wait(5) == -9


def test_another_data_dirs_orphan_is_left_to_its_own_recovery(spawn: list[subprocess.Popen[bytes]], here: Path,
                                                              tmp_path: Path) -> None:
    """Recovery on one data dir never ends the tools of another's dead CLI (they are that dir's to clean up)."""
    other = _tool(spawn, _dead_token(), tmp_path / "other-home")
    assert other.pid not in end_orphaned_tools(here)
    assert other.poll() is None
    assert other.pid in end_orphaned_tools(tmp_path / "other-home")
