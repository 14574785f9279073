"""Runs build plans as QProcess jobs on the Qt event loop, with a concurrency limit and a queue.

A job writes every output line to its persisted log file and re-emits lines in batches (one
``log_lines`` signal per read, never per line) so a flood of output cannot starve the GUI thread.
Cancel kills the running tool's whole process group; a job always reaches a final state.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal
from tenacity import RetryCallState, Retrying, stop_after_delay, wait_exponential

from app.builds.gradle_log import GradleProgress
from app.builds.model import BuildState, Platform
from app.errors import TrendForgeError
from services.builds.pipeline import BuildSpec, Mark, Plan, PyStep, ToolStep, plan_for
from services.builds.tools import ToolProcess, ToolResult, resolve_tool
from services.builds.workspace import TRASH_PREFIX
from services.events.correlation import correlation
from services.runtime import job_runtime, offload

log = logging.getLogger(__name__)




def discard(path: Path) -> None:
    """Remove a directory without blocking the Qt thread: an atomic rename now (so it is gone
    from where it was), the recursive delete on the job runtime (awaited by its ``drain``)."""
    if not path.exists():
        return
    trash = path.with_name(f"{TRASH_PREFIX}{path.name}-{time.monotonic_ns()}")
    try:
        path.rename(trash)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return
    job_runtime().submit(lambda: shutil.rmtree(trash, ignore_errors=True))


def wait_for_cleanup(timeout_s: float = 10.0) -> None:
    """Wait for the deletes :func:`discard` handed over (with whatever else the runtime runs)."""
    if QCoreApplication.instance() is not None:
        job_runtime().drain(timeout_s)


class HookWriteError(Exception):
    """A job hook could not record a transition. ``busy``: another connection holds the write
    lock, so trying again shortly may work (a full disk or a broken file will not)."""

    def __init__(self, message: str, *, busy: bool) -> None:
        super().__init__(message)
        self.busy = busy


@dataclass
class JobHooks:
    """What the service does on a job's transitions (persist + publish).

    A hook that cannot write raises :class:`HookWriteError`; the job retries a busy database
    (without blocking its thread between tries) and otherwise ends the build with that error.
    """

    on_started: Callable[[str], None]
    on_step: Callable[[str, str, float], None]
    on_mark: Callable[[str, Mark], None]
    on_final: Callable[[str, BuildState, str], None]  # build id, failed|cancelled|<last mark state>, error
    # the final state could not be recorded at all: the owner keeps it, so nobody waits for it forever
    on_unrecorded: Callable[[str, BuildState, str], None] = lambda build_id, state, message: None


class BuildJob(QObject):
    log_lines = Signal(str, list)
    progressed = Signal(str, str, float)  # build id, step, percent
    finished = Signal(str, str)  # build id, final state

    PROGRESS_EVERY_S = 0.5
    # a busy database (a backup, a DB browser, a long transaction elsewhere) is retried this long
    # before the build ends with an error; each try waits at most PERSIST_TRY_MS for the lock
    PERSIST_FOR_S = 60.0
    PERSIST_TRY_MS = 100

    def __init__(self, spec: BuildSpec, log_path: Path, hooks: JobHooks, parent: QObject | None = None,
                 expected_gradle_tasks: int | None = None, redact_lines: Callable[[list[str]], list[str]] = list) -> None:
        super().__init__(parent)
        self._redact_lines = redact_lines  # every line of build.log and of the live view passes through it
        self.spec = spec
        self.build_id = spec.build_id
        self.log_path = log_path
        self._hooks = hooks
        self._plan: Plan | None = None
        self._steps = spec.step_plan()
        self._step = ""
        self._percent = 0.0
        self._proc: ToolProcess | None = None
        self._cancelled = False
        self._done = False
        self._last_state: BuildState = BuildState.RUNNING
        self._log: TextIO | None = None
        self._gradle: GradleProgress | None = None
        self._gradle_tasks: int | None = None
        self._expected_tasks = expected_gradle_tasks
        self._last_progress_emit = 0.0
        self._in_thread = False
        self._artifact_final = False
        self.started_at = 0.0
        self._final_state: BuildState = BuildState.FAILED
        self._final_message = ""

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self.started_at = time.monotonic()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("a", encoding="utf-8", errors="replace")
        self.spec.workdir.mkdir(parents=True, exist_ok=True)
        self.spec.outdir.mkdir(parents=True, exist_ok=True)
        self._write([f"== build {self.build_id}: {self.spec.template.id} {self.spec.version_name} "
                     f"({self.spec.platform.value}, {self.spec.backend.value})"])
        self._persist(lambda: self._hooks.on_started(self.build_id), self._begin_plan)

    def _begin_plan(self) -> None:
        try:
            self._plan = plan_for(self.spec)
        except TrendForgeError as exc:
            self._fail(str(exc))
            return
        self._advance(None)

    def cancel(self) -> None:
        if self._done:
            return
        self._cancelled = True
        self._write(["== cancel requested"])
        if self._proc is not None and self._proc.running():
            self._proc.terminate_tree()
        elif not self._in_thread:
            self._finish(BuildState.CANCELLED, "cancelled")

    @property
    def done(self) -> bool:
        return self._done

    @property
    def current_pid(self) -> int:
        return self._proc.pid if self._proc is not None else 0

    # -- driving the plan -----------------------------------------------------------------------
    def _advance(self, value: Any) -> None:
        if self._done:
            return
        if self._cancelled:
            self._finish(BuildState.CANCELLED, "cancelled")
            return
        assert self._plan is not None
        try:
            step = self._plan.send(value)
        except StopIteration:
            self._finish(self._last_state, "")
            return
        except TrendForgeError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:
            log.exception("build %s: unexpected error", self.build_id)
            self._fail(f"{type(exc).__name__}: {exc}")
            return
        if isinstance(step, Mark):
            if self._gradle_tasks is not None and step.state is BuildState.BUILT:
                step.detail["gradle_tasks"] = self._gradle_tasks  # the next build's progress total
            self._last_state = step.state
            if step.state is not BuildState.BUILT or self.spec.platform is Platform.WEB:
                self._artifact_final = True  # a later failure (a deploy) keeps the finished artifact
            self._write([f"== {step.state.value}" + (f": {step.where}" if step.where else "")])
            mark = step
            self._persist(lambda: self._hooks.on_mark(self.build_id, mark),
                          lambda: QTimer.singleShot(0, self, lambda: self._advance(None)))
            return
        changed = step.step != self._step
        self._set_step(step.step)
        if not changed:
            self._run_step(step)
            return
        self._write([f"== step: {step.step}"])
        name, percent, current = step.step, self._percent, step
        self._persist(lambda: self._hooks.on_step(self.build_id, name, percent), lambda: self._run_step(current))

    def _run_step(self, step: ToolStep | PyStep) -> None:
        if isinstance(step, ToolStep):
            self._run_tool(step)
        elif step.thread:
            self._run_thread(step)
        else:
            try:
                result = step.fn()
            except TrendForgeError as exc:
                self._fail(f"{step.step}: {exc}")
                return
            except OSError as exc:
                self._fail(f"{step.step}: {exc}")
                return
            QTimer.singleShot(0, self, lambda: self._advance(result))

    # -- recording transitions --------------------------------------------------------------------
    @contextlib.contextmanager
    def _correlated(self) -> Iterator[None]:
        """Re-enter the correlation of what started the build (hooks and threads run later)."""
        if self.spec.correlation is None:
            yield
            return
        with correlation(*self.spec.correlation):
            yield

    def _persist(self, write: Callable[[], None], then: Callable[[], None], *, final: bool = False) -> None:
        """Run a hook's write, then ``then``. A busy database is tried again on a timer (the event
        loop keeps running meanwhile), with tenacity's backoff, for at most PERSIST_FOR_S; a write
        that fails for good ends the build with a clear error (or, for the final state, hands
        the outcome to ``on_unrecorded``). A job never hangs on a failed write."""
        policy = Retrying(stop=stop_after_delay(self.PERSIST_FOR_S), wait=wait_exponential(multiplier=0.1, max=2.0))
        attempt = RetryCallState(policy, None, (), {})

        def run() -> None:
            if self._done and not final:
                return  # cancelled (or failed) while waiting for the database
            try:
                with self._correlated():
                    write()
            except HookWriteError as exc:
                attempt.set_exception((type(exc), exc, exc.__traceback__))
                if exc.busy and not policy.stop(attempt):
                    delay = float(policy.wait(attempt))
                    attempt.prepare_for_next_attempt()
                    QTimer.singleShot(max(1, int(delay * 1000)), self, run)
                    return
                self._unrecorded(exc, final)
                return
            except TrendForgeError as exc:  # a transition the rules refuse
                if final:
                    raise
                self._fail(str(exc))
                return
            then()

        run()

    def _unrecorded(self, exc: HookWriteError, final: bool) -> None:
        waited = "" if not exc.busy else f" (still busy after {self.PERSIST_FOR_S:g}s)"
        message = f"could not record the build's progress{waited}: {exc}"
        if not final:
            self._fail(message)
            return
        log.error("build %s: %s", self.build_id, message)
        self._hooks.on_unrecorded(self.build_id, self._final_state, self._final_message or message)
        self.finished.emit(self.build_id, self._final_state.value)

    def _run_tool(self, step: ToolStep) -> None:
        try:
            program = step.program or resolve_tool(step.tool, self.spec.toolchain_env.get("PATH"))
        except TrendForgeError as exc:
            self._fail(f"{step.step}: {exc}")
            return
        self._write([f"$ {step.describe()}"])  # secrets are only ever in step.env, never in args
        self._gradle = GradleProgress(expected_tasks=self._expected_tasks) if step.gradle else None
        proc = ToolProcess(self)
        proc.lines.connect(self._on_proc_lines)
        proc.done.connect(lambda result: self._on_proc_done(step, result))
        self._proc = proc
        proc.start(program, step.args, env={**self.spec.toolchain_env, **(step.env or {})}, cwd=step.cwd)

    def _on_proc_lines(self, lines: list[str]) -> None:
        self._write(lines)
        if self._gradle is not None:
            for line in lines:
                self._gradle.feed(line)
            self._set_step(self._step, self._gradle.fraction)

    def _on_proc_done(self, step: ToolStep, result: ToolResult) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.deleteLater()
        if self._cancelled:
            self._finish(BuildState.CANCELLED, "cancelled")
            return
        if step.gradle and self._gradle is not None:
            self._gradle_tasks = self._gradle.tasks
        if step.gradle and self._gradle is not None and (not result.ok or self._gradle.success is False):
            message = self._gradle.error_message or result.tail()
            self._fail(f"gradle {step.args[0]} failed (exit {result.exit_code}): {message}")
            return
        if not result.ok and step.step != "verify":
            how = "crashed" if result.crashed else f"exited with code {result.exit_code}"
            self._fail(f"{step.step}: {step.tool} {how}: {result.tail()}")
            return
        if not result.ok:
            self._write([f"== {step.tool} exited with code {result.exit_code}"])
        self._advance(result)

    def _run_thread(self, step: PyStep) -> None:
        """The step's blocking work on the job runtime; its outcome comes back to this job's thread.
        A cancel meanwhile ends the job when the step returns (Python code cannot be killed), and
        the step's result is dropped."""
        self._in_thread = True

        def work() -> object:
            with self._correlated():
                return step.fn()

        offload(work, self, lambda value: self._on_step_returned(value, None),
                lambda exc: self._on_step_returned(None, exc))

    def _on_step_returned(self, value: object, exc: Exception | None) -> None:
        self._in_thread = False
        if self._cancelled:
            self._finish(BuildState.CANCELLED, "cancelled")
            return
        if isinstance(exc, TrendForgeError | OSError):
            self._fail(f"{self._step}: {exc}")
            return
        if isinstance(exc, BaseException):
            log.error("build %s: unexpected error in %s", self.build_id, self._step, exc_info=exc)
            self._fail(f"{self._step}: {type(exc).__name__}: {exc}")
            return
        self._advance(value)

    # -- progress, log, end ---------------------------------------------------------------------
    def _set_step(self, step: str, within: float = 0.0) -> None:
        """Progress on screen (throttled); a new step is also recorded, by :meth:`_advance`."""
        changed = step != self._step
        self._step = step
        self._percent = self._steps.percent(step, within)
        now = time.monotonic()
        if changed or now - self._last_progress_emit >= self.PROGRESS_EVERY_S:
            self._last_progress_emit = now
            self.progressed.emit(self.build_id, step, self._percent)

    def _write(self, lines: list[str]) -> None:
        lines = self._redact_lines(lines)
        if self._log is not None:
            self._log.write("\n".join(lines) + "\n")
            self._log.flush()  # one write per batch; readers (the panel, `builds show`) see it at once
        self.log_lines.emit(self.build_id, lines)

    def _fail(self, message: str) -> None:
        # workspace paths are noise in a one-line error (the log keeps them)
        message = message.replace(str(self.spec.workdir) + "/", "")
        self._write([f"== FAILED: {message}"])
        self._finish(BuildState.FAILED, message)

    def _finish(self, state: BuildState, message: str) -> None:
        if self._done:
            return
        self._done = True
        if self._plan is not None:
            self._plan.close()
        if state is BuildState.CANCELLED:
            self._write(["== cancelled"])
        elif state not in (BuildState.FAILED,):
            self._write([f"== done: {state.value} in {time.monotonic() - self.started_at:.2f}s"])
        if self._log is not None:
            self._log.close()
            self._log = None
        # the workspace is scratch: artifacts live in outdir, the log beside it
        discard(self.spec.workdir)
        if state in (BuildState.FAILED, BuildState.CANCELLED) and not self._artifact_final:
            discard(self.spec.outdir)
        self._final_state, self._final_message = state, message
        try:
            self._persist(lambda: self._hooks.on_final(self.build_id, state, message),
                          lambda: self.finished.emit(self.build_id, state.value), final=True)
        except Exception:
            self.finished.emit(self.build_id, state.value)
            raise


class BuildRunner(QObject):
    """Runs at most ``limit`` jobs at once; the rest wait in FIFO order."""

    job_started = Signal(str)
    log_lines = Signal(str, list)
    progressed = Signal(str, str, float)
    job_finished = Signal(str, str)

    busy_changed = Signal(bool)  # True with the first job queued, False once none is queued or running
    _submitted = Signal(object)
    _cancel_on_own_thread = Signal(str, object)  # build id, a list that receives the result

    def __init__(self, limit: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.limit = max(1, limit)
        self._queue: deque[BuildJob] = deque()
        self._running: dict[str, BuildJob] = {}
        # a job submitted from another thread (a workflow worker) is handed over through a queued signal
        self._submitted.connect(self._on_self_submitted)
        # a cancel from another thread (a GUI write in the background) runs on the runner's own
        # thread, which kills the process and records the end; the caller waits for its answer
        self._cancel_on_own_thread.connect(self._on_self_cancel_on_own_thread, Qt.ConnectionType.BlockingQueuedConnection)

    def submit(self, job: BuildJob) -> None:
        """Queue ``job``; safe from any thread (the job moves to the runner's thread)."""
        if job.thread() is not self.thread():
            job.moveToThread(self.thread())
        self._submitted.emit(job)

    def _on_self_submitted(self, job: BuildJob) -> None:
        job.setParent(self)
        job.log_lines.connect(self.log_lines)
        job.progressed.connect(self.progressed)
        job.finished.connect(self._on_job_finished)
        was_busy = self.busy()
        self._queue.append(job)
        if not was_busy:
            self.busy_changed.emit(True)
        QTimer.singleShot(0, self, self._pump)

    def busy(self) -> bool:
        return bool(self._running or self._queue)

    def _pump(self) -> None:
        while self._queue and len(self._running) < self.limit:
            job = self._queue.popleft()
            self._running[job.build_id] = job
            self.job_started.emit(job.build_id)
            job.start()

    def _on_job_finished(self, build_id: str, state: str) -> None:
        job = self._running.pop(build_id, None)
        if job is not None:
            job.deleteLater()
        self.job_finished.emit(build_id, state)
        QTimer.singleShot(0, self, self._pump)
        if not self.busy():
            self.busy_changed.emit(False)

    def cancel(self, build_id: str) -> bool:
        """Cancel a queued or running job; from any thread (the runner's event loop must be running)."""
        if QThread.currentThread() is not self.thread():
            answer: list[bool] = []
            self._cancel_on_own_thread.emit(build_id, answer)
            return bool(answer and answer[0])
        return self._cancel_here(build_id)

    def _on_self_cancel_on_own_thread(self, build_id: str, answer: list[bool]) -> None:
        answer.append(self._cancel_here(build_id))

    def _cancel_here(self, build_id: str) -> bool:
        for job in list(self._queue):
            if job.build_id == build_id:
                self._queue.remove(job)
                job.finished.disconnect(self._on_job_finished)
                job._hooks.on_final(build_id, BuildState.CANCELLED, "cancelled while queued")
                discard(job.spec.workdir)
                self.job_finished.emit(build_id, BuildState.CANCELLED.value)
                job.deleteLater()
                if not self.busy():
                    self.busy_changed.emit(False)
                return True
        running = self._running.get(build_id)
        if running is not None:
            running.cancel()
            return True
        return False

    def job(self, build_id: str) -> BuildJob | None:
        return self._running.get(build_id) or next((j for j in self._queue if j.build_id == build_id), None)

    def running_ids(self) -> list[str]:
        return list(self._running)

    def queued_ids(self) -> list[str]:
        return [j.build_id for j in self._queue]
