"""Stopping a server a test run started: its own signal, a grace period, then SIGKILL."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def stop_child(proc: subprocess.Popen[Any], sig: signal.Signals = signal.SIGTERM, grace: float = 10.0) -> None:
    """Send ``sig`` to ``proc`` if it still runs and wait ``grace`` seconds for it; kill it if it does not end."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
