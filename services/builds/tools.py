"""External tools as QProcess children: resolved on PATH first, streamed line by line, killable as a tree.

Every child starts in a new session (its own process group), so cancelling kills the whole tree
(``apksigner``/``smali`` are shell wrappers around ``java``). Secrets reach a child only through
its environment (``--ks-pass env:VAR``), never its command line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from app.errors import ToolError
from services.processes import launch_command, tool_env, track_group, untrack_group
from services.system import TOOL_PACKAGES

_FRAME = re.compile(r"^\s*(at |\.\.\. \d+ more)")

FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")


def resolve_tool(name: str, path_env: str | None = None) -> str:
    """The absolute path of ``name`` on PATH, or a ``ToolError`` naming the Debian package to install."""
    found = shutil.which(name, path=path_env)
    if found is None:
        package = TOOL_PACKAGES.get(name)
        hint = f"install it with: sudo apt-get install {package}" if package else "install it and put it on PATH"
        raise ToolError(f"{name} not found on PATH; {hint}")
    return found


def framework_res() -> Path:
    if not FRAMEWORK_RES.is_file():
        raise ToolError(
            f"{FRAMEWORK_RES} is missing; install it with: sudo apt-get install android-framework-res"
        )
    return FRAMEWORK_RES


@dataclass
class ToolResult:
    program: str
    args: list[str]
    exit_code: int
    crashed: bool
    # the last lines of output (bounded), for messages and for parsing short reports
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.crashed and self.exit_code == 0

    def tail(self, n: int = 6) -> str:
        """The last meaningful lines (Java stack frames left out), for an error message."""
        meaningful = [line.strip() for line in self.lines if line.strip() and not _FRAME.match(line)]
        return " | ".join(meaningful[-n:])


class ToolProcess(QObject):
    """One child process. ``lines`` carries batches of complete output lines (stderr prefixed)."""

    lines = Signal(list)
    done = Signal(object)  # ToolResult

    KEEP_LINES = 400

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._proc = QProcess(self)
        self._proc.setUnixProcessParameters(QProcess.UnixProcessFlag.CreateNewSession)
        self._proc.readyReadStandardOutput.connect(self._on_proc_stdout)
        self._proc.readyReadStandardError.connect(self._on_proc_stderr)
        self._proc.finished.connect(self._on_proc_finished)
        self._proc.errorOccurred.connect(self._on_proc_error)
        self._partial = {"out": b"", "err": b""}
        self._kept: list[str] = []
        self._program = ""
        self._args: list[str] = []
        self._finished = False
        self._kill_timer: QTimer | None = None
        self._group = 0

    @property
    def pid(self) -> int:
        return int(self._proc.processId())

    def start(
        self,
        program: str,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self._proc.setProcessEnvironment(_environment(env))
        if cwd is not None:
            self._proc.setWorkingDirectory(str(cwd))
        self._program = program
        self._args = list(args)
        self._proc.start(*launch_command(program, self._args))
        self._group = self.pid  # its own session: the group id is its pid (0 if it failed to start)
        track_group(self._group)

    # -- output -----------------------------------------------------------------------
    def _split(self, key: str, data: bytes, prefix: str) -> None:
        buf = self._partial[key] + data
        *complete, rest = buf.split(b"\n")
        self._partial[key] = rest
        if len(rest) > 64_000:  # a runaway line without newline: cut it
            complete.append(rest)
            self._partial[key] = b""
        if not complete:
            return
        out = [prefix + raw.decode("utf-8", errors="replace").rstrip("\r") for raw in complete]
        self._keep(out)
        self.lines.emit(out)

    def _keep(self, out: list[str]) -> None:
        self._kept.extend(out)
        if len(self._kept) > self.KEEP_LINES * 2:
            del self._kept[: -self.KEEP_LINES]

    def _on_proc_stdout(self) -> None:
        self._split("out", bytes(self._proc.readAllStandardOutput().data()), "")

    def _on_proc_stderr(self) -> None:
        self._split("err", bytes(self._proc.readAllStandardError().data()), "")

    def _flush(self) -> None:
        self._on_proc_stdout()
        self._on_proc_stderr()
        tail = [raw.decode("utf-8", errors="replace") for raw in self._partial.values() if raw]
        self._partial = {"out": b"", "err": b""}
        if tail:
            self._keep(tail)
            self.lines.emit(tail)

    def _finish(self, exit_code: int, crashed: bool) -> None:
        if self._finished:
            return
        self._finished = True
        untrack_group(self._group)
        if self._kill_timer is not None:
            self._kill_timer.stop()
        self._flush()
        self.done.emit(ToolResult(self._program, self._args, exit_code, crashed, self._kept[-self.KEEP_LINES :]))

    def _on_proc_finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        self._finish(exit_code, status == QProcess.ExitStatus.CrashExit)

    def _on_proc_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._kept.append(f"{self._program} failed to start: {self._proc.errorString()}")
            self._finish(-1, True)

    # -- cancel -----------------------------------------------------------------------
    def running(self) -> bool:
        return self._proc.state() != QProcess.ProcessState.NotRunning

    def terminate_tree(self, grace_ms: int = 2000) -> None:
        """SIGTERM the child's whole process group, SIGKILL it after ``grace_ms``."""
        if not self.running():
            return
        self._signal_group(signal.SIGTERM)
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(lambda: self._signal_group(signal.SIGKILL))
        self._kill_timer.start(grace_ms)

    def _signal_group(self, sig: signal.Signals) -> None:
        pid = self.pid
        if pid <= 0:
            return
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:  # pragma: no cover - not our group
            self._proc.kill()


def _environment(env: Mapping[str, str] | None) -> QProcessEnvironment:
    environment = QProcessEnvironment.systemEnvironment()
    for key, value in {**tool_env(), **(env or {})}.items():
        environment.insert(key, value)
    return environment


def run_tool_sync(
    tool: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout_ms: int = 120_000,
    stdin: bytes | None = None,
) -> ToolResult:
    """Run a short tool to completion on the calling thread (keytool, verification in the CLI)."""
    program = resolve_tool(tool)
    proc = QProcess()
    proc.setUnixProcessParameters(QProcess.UnixProcessFlag.CreateNewSession)
    proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
    proc.setProcessEnvironment(_environment(env))
    if cwd is not None:
        proc.setWorkingDirectory(str(cwd))
    proc.start(*launch_command(program, list(args)))
    if not proc.waitForStarted(30_000):
        raise ToolError(f"{tool} failed to start: {proc.errorString()}")
    group = int(proc.processId())
    track_group(group)
    try:
        return _finish_sync(proc, tool, timeout_ms, stdin, program, args)
    finally:
        untrack_group(group)


def _finish_sync(proc: QProcess, tool: str, timeout_ms: int, stdin: bytes | None, program: str,
                 args: Sequence[str]) -> ToolResult:
    if stdin is not None:
        proc.write(stdin)
    proc.closeWriteChannel()
    if not proc.waitForFinished(timeout_ms):
        pid = int(proc.processId())
        if pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        proc.waitForFinished(5000)
        raise ToolError(f"{tool} did not finish within {timeout_ms // 1000}s and was killed")
    text = bytes(proc.readAll().data()).decode("utf-8", errors="replace")
    crashed = proc.exitStatus() == QProcess.ExitStatus.CrashExit
    return ToolResult(program, list(args), int(proc.exitCode()), crashed, text.splitlines())
