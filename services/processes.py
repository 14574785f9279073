"""Facts about other processes on this machine, and the tool processes this one starts.

- Liveness: :func:`pid_alive`, and :func:`owner_alive` for a pid recorded with its kernel start time
  (so a recycled pid is not taken for the owner).
- Tools never outlive their owner: every tool child is started through :func:`launch_command`
  (a parent-death signal, where ``setpriv`` exists) in its own process group, carries the owner's
  token in its environment (:data:`OWNER_ENV`, inherited by its own children), and is tracked while
  it runs so that a signal handler can end every group (:func:`end_tracked_groups`). At start-up,
  :func:`end_orphaned_tools` ends the groups of tools whose owner died without cleaning up (SIGKILL).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from pathlib import Path

OWNER_ENV = "TRENDFORGE_TOOL_OWNER"
# the data directory a tool works for: recovery on one data dir ends only that dir's orphans, never the tools
# of another data dir's (or another test's) CLI that happens to have died at the same time
SCOPE_ENV = "TRENDFORGE_TOOL_SCOPE"

_tracked: set[int] = set()
_tracked_lock = threading.Lock()


def pid_alive(pid: int | None) -> bool:
    """Is ``pid`` a live (not zombie) process?"""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: [state, ppid, pgrp, ...] (field 3 of proc(5) first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_start(pid: int) -> str:
    """The kernel's start time of ``pid`` (clock ticks since boot), or '' where unknown."""
    try:
        return _stat_fields(pid)[19]
    except (OSError, IndexError):
        return ""


def host_tag(host: str | None = None) -> str:
    """Six characters naming this machine in an owner token (a shared store is written by several)."""
    import hashlib
    import socket

    name = host or os.environ.get("TRENDFORGE_HOST", "").strip() or socket.gethostname()
    return hashlib.sha256(name.encode()).hexdigest()[:6]


def run_owner_token() -> str:
    """``START:h<host tag><random>`` (at most 32 characters): this process, on this machine."""
    import uuid

    return f"{process_start(os.getpid())}:h{host_tag()}{uuid.uuid4().hex[:5]}"


def owner_elsewhere(token: str | None) -> bool:
    """Was the owner token (:func:`run_owner_token`) written by a process on another machine?"""
    _, _, rest = (token or "").partition(":")
    return rest.startswith("h") and len(rest) >= 7 and rest[1:7] != host_tag()


def owner_alive(pid: int | None, token: str | None) -> bool:
    """Is the process recorded as ``pid`` with ``token`` (``START[:...]``) still that same process?

    A token of another machine (see :func:`run_owner_token`) counts as alive: its pid says nothing here,
    and only that machine's lease can tell it has gone.
    """
    if owner_elsewhere(token):
        return True
    started = (token or "").partition(":")[0]
    if not pid_alive(pid):
        return False
    return not started or started == process_start(pid or 0)


def owner_token(pid: int | None = None) -> str:
    """``PID:START`` of this (or another) process, as recorded in its tools' environment."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}:{process_start(pid)}"


def token_alive(token: str) -> bool:
    pid_text, _, started = token.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    return owner_alive(pid, started)


def tool_env() -> dict[str, str]:
    """What every tool child gets in its environment besides its own variables."""
    return {OWNER_ENV: owner_token()}


def launch_command(program: str, args: list[str]) -> tuple[str, list[str]]:
    """``program args`` wrapped so the kernel kills it when its parent dies (PR_SET_PDEATHSIG)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:  # util-linux is on every Debian system; elsewhere recovery and signals still end tools
        return program, list(args)
    return setpriv, ["--pdeathsig", "KILL", "--", program, *args]


# -- the tool groups of this process ----------------------------------------------------------------
def track_group(pgid: int) -> None:
    if pgid > 0:
        with _tracked_lock:
            _tracked.add(pgid)


def untrack_group(pgid: int) -> None:
    with _tracked_lock:
        _tracked.discard(pgid)


def tracked_groups() -> list[int]:
    with _tracked_lock:
        return sorted(_tracked)


def end_tracked_groups(sig: signal.Signals = signal.SIGKILL) -> int:
    """Signal every running tool's process group (safe in a signal handler: no locks are waited on)."""
    n = 0
    for pgid in list(_tracked):
        try:
            os.killpg(pgid, sig)
            n += 1
        except (ProcessLookupError, PermissionError):
            pass
    return n


# -- tools left behind by a dead owner ---------------------------------------------------------------
def scope_env(data_dir: Path) -> dict[str, str]:
    """The environment entry that ties a tool to the data directory it works for."""
    return {SCOPE_ENV: str(data_dir.resolve())}


def _owner_of(pid: int) -> tuple[str | None, str | None]:
    """(owner token, scope) from a process's environment."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or another user's
        return None, None
    found: dict[bytes, str] = {}
    for entry in environ.split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep and name in (OWNER_ENV.encode(), SCOPE_ENV.encode()):
            found[name] = value.decode("utf-8", errors="replace")
    return found.get(OWNER_ENV.encode()), found.get(SCOPE_ENV.encode())


def orphaned_tools(data_dir: Path) -> dict[int, int]:
    """{pid: process group} of this data dir's tool processes whose recorded owner (pid and start time) is gone."""
    found: dict[int, int] = {}
    me = os.getpid()
    scope = scope_env(data_dir)[SCOPE_ENV]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        pid = int(entry.name)
        token, tool_scope = _owner_of(pid)
        if token is None or tool_scope != scope or token_alive(token):
            continue
        try:
            fields = _stat_fields(pid)
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            found[pid] = int(fields[2])
    return found


def end_orphaned_tools(data_dir: Path) -> list[int]:
    """SIGKILL the process groups (and any strays) of this data dir's tools whose owner died; the groups ended."""
    orphans = orphaned_tools(data_dir)
    groups = sorted(set(orphans.values()))
    for pgid in groups:
        if pgid > 1:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
    for pid in orphans:  # a child that left its group still carries the owner's token
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return groups
