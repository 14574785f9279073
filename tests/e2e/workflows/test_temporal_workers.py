"""trend-to-release on Temporal across processes: started by one CLI, its build on a builds worker.

Processes on one store ("machines" sharing the studio's database): A runs `workflow run`, M is a
`worker --queue main` (the run and the trend/template steps), B and C are `worker --queue builds`
(the real Android build, signature check and folder deploy). B is SIGKILLed while its build's
tools run; Temporal misses B's heartbeat and gives the build step to C, which builds again and
finishes the run. The real Temporal dev server, the real toolchain, the real keyring.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.temporal_server import TemporalServer

ROOT = Path(__file__).resolve().parents[3]


class Procs:
    """The test's TrendForge processes on one data dir and one Temporal task queue; all ended at the end."""

    def __init__(self, data_dir: Path, logs: Path, env: dict[str, str]) -> None:
        self.data_dir, self.logs, self.env = data_dir, logs, env
        self.started: list[subprocess.Popen[str]] = []

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, str(ROOT / "main.py"), "--data-dir", str(self.data_dir), *args]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.cmd(*args), capture_output=True, text=True, env=self.env, timeout=timeout, check=False)

    def start(self, name: str, *args: str) -> subprocess.Popen[str]:
        log = (self.logs / f"{name}.log").open("w")
        proc = subprocess.Popen(self.cmd(*args), stdout=log, stderr=subprocess.STDOUT, text=True, env=self.env)
        log.close()
        self.started.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def worker(self, name: str, queue: str) -> subprocess.Popen[str]:
        proc = self.start(name, "worker", "--queue", queue)
        _until(lambda: "task queues" in self.log(name), f"worker {name} to start", proc=proc, log=lambda: self.log(name))
        return proc

    def end(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.started:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _until(check: Any, what: str, *, timeout: float = 240, proc: subprocess.Popen[str] | None = None, log: Any = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"stopped while waiting for {what}: {log() if log else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}: {log() if log else ''}")
        time.sleep(0.1)


def _building(db: Path) -> bool:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM builds WHERE state = 'running' AND step != ''").fetchone()[0] > 0
    except sqlite3.OperationalError:
        return False


@pytest.fixture
def procs(temporal_server: TemporalServer, data_dir: Path, tmp_path: Path) -> Iterator[Procs]:
    env = dict(os.environ)
    env.pop("TRENDFORGE_HOME", None)
    env.update(TRENDFORGE_TEMPORAL_ADDRESS=temporal_server.address, TRENDFORGE_TEMPORAL_TASK_QUEUE=f"tf-{uuid.uuid4().hex[:10]}",
               TRENDFORGE_TEMPORAL_HEARTBEAT_TIMEOUT="5", QT_QPA_PLATFORM="offscreen")
    logs = tmp_path / "logs"
    logs.mkdir()
    p = Procs(data_dir, logs, env)
    yield p
    p.end()


def _prepare(procs: Procs, tmp_path: Path) -> str:
    """A base template, a signing key (in the real keyring), an emerging trend; the template's id."""
    for args in (("templates", "import", str(ROOT / "resources" / "samples" / "quotes-daily")),
                 ("keys", "create", "release")):
        done = procs.run(*args)
        assert done.returncode == 0, done.stderr
    csv = tmp_path / "trends.csv"
    csv.write_text("title,volume\nCozy cat cafe,1000\n")
    done = procs.run("trends", "import", "--source", "reddit", str(csv))
    assert done.returncode == 0, done.stderr
    return str(json.loads(procs.run("--json", "templates", "list").stdout)[0]["id"])


@pytest.mark.slow
def test_the_build_runs_on_a_builds_worker_and_moves_to_another_when_that_worker_is_killed(procs: Procs, tmp_path: Path) -> None:
    base = _prepare(procs, tmp_path)
    deploy_dir = tmp_path / "release"
    deploy_dir.mkdir()

    main = procs.worker("main", "main")
    b = procs.worker("b", "builds")
    a = procs.start("a", "workflow", "run", "trend-to-release", "--input", f"base_template={base}",
                    "--input", f"deploy_dir={deploy_dir}")
    _until(lambda: _building(procs.data_dir / "trendforge.sqlite3"), "the build to run on worker B", proc=a,
           log=lambda: procs.log("a") + procs.log("b"))
    b.send_signal(signal.SIGKILL)  # the build box dies mid-build: no cleanup, no last word to Temporal
    assert b.wait(10) == -signal.SIGKILL
    c = procs.worker("c", "builds")

    assert a.wait(300) == 0, procs.log("a") + procs.log("c")
    run_id = procs.log("a").split("run ", 1)[1].split()[0]
    assert "  > build (attempt 2)" in procs.log("a")  # A shows the workers' progress as it lands in the store
    shown = procs.run("--json", "workflow", "show", run_id)
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail["status"] == "succeeded" and detail["engine"] == "temporal"
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["build"]["attempts"] == 2  # the attempt that died with B, and C's
    assert steps["build"]["worker"].startswith(f"{c.pid}@")
    assert steps["deploy"]["worker"].startswith(f"{c.pid}@")
    assert steps["template"]["worker"].startswith(f"{main.pid}@")
    assert [p.name for p in deploy_dir.iterdir() if p.suffix == ".apk"]
    events = json.loads(procs.run("--json", "events", "list", "--correlation", run_id, "--limit", "200").stdout)
    started = [e for e in events if e["type"] == "workflow.step_started" and e["payload"]["step"] == "build"]
    assert sorted(e["payload"]["attempt"] for e in started) == [1, 2]


@pytest.mark.slow
def test_a_failing_deploy_on_a_worker_undoes_the_build_then_the_template_in_reverse(procs: Procs, tmp_path: Path) -> None:
    base = _prepare(procs, tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the release folder should be\n")  # the deploy cannot create its folder
    procs.worker("w", "main")
    procs.worker("b", "builds")
    done = procs.run("--json", "workflow", "run", "trend-to-release", "--input", f"base_template={base}",
                     "--input", f"deploy_dir={blocked}", timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    detail = json.loads(done.stdout)
    assert detail["status"] == "compensated" and detail["failed_step"] == "deploy", detail
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["deploy"]["status"] == "failed"
    assert steps["build"]["status"] == steps["template"]["status"] == "compensated"
    assert steps["pick"]["status"] == steps["sign"]["status"] == "succeeded"  # nothing to undo for these
    events = json.loads(procs.run("--json", "events", "list", "--correlation", detail["id"], "--limit", "200").stdout)
    undone = [e["payload"]["step"] for e in sorted(events, key=lambda e: e["seq"]) if e["type"] == "workflow.compensating"]
    assert undone == ["build", "template"]  # in reverse, as in-process
    template = json.loads(procs.run("--json", "templates", "show", steps["template"]["output"]["template_id"]).stdout)
    assert template["status"] == "archived"
    build = json.loads(procs.run("--json", "builds", "show", steps["build"]["output"]["build_id"]).stdout)
    assert not (procs.data_dir / "builds" / build["id"] / "out").exists()


def test_sigterm_stops_a_worker_cleanly(procs: Procs) -> None:
    worker = procs.worker("w", "main")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0, procs.log("w")
    assert "worker stopped" in procs.log("w")


UNDOABLE = {
    "name": "undoable",
    "steps": [
        {"name": "template", "action": "noop", "inputs": {"value": "tpl"},
         "compensation": {"action": "notify", "inputs": {"title": "undo template", "message": "${steps.template.output.value}"}}},
        {"name": "release", "action": "noop", "inputs": {"value": "rel"},
         "compensation": {"action": "notify", "inputs": {"title": "undo release", "message": "${steps.release.output.value}"}}},
    ],
}


def test_workflow_compensate_undoes_a_finished_temporal_run_in_reverse_once(procs: Procs, tmp_path: Path) -> None:
    procs.worker("m", "main")
    path = tmp_path / "undoable.json"
    path.write_text(json.dumps(UNDOABLE))
    assert procs.run("workflow", "import", str(path)).returncode == 0
    ran = procs.run("workflow", "run", "undoable")
    assert ran.returncode == 0 and "undoable succeeded" in ran.stdout, ran.stdout + ran.stderr
    run_id = ran.stdout.split()[1]
    undone = procs.run("workflow", "compensate", run_id[:8])
    assert undone.returncode == 0, undone.stdout + undone.stderr
    lines = undone.stdout.splitlines()
    assert lines.index("  ! undo release: rel") < lines.index("  ! undo template: tpl")
    assert "undoable compensated" in undone.stdout
    again = procs.run("workflow", "compensate", run_id)
    assert again.returncode != 0 and "undone only once" in again.stderr and again.stderr.count("\n") == 1, again.stderr
    shown = json.loads(procs.run("--json", "workflow", "show", run_id).stdout)
    assert shown["status"] == "compensated"
    assert [s["status"] for s in shown["steps"]] == ["compensated", "compensated"]
