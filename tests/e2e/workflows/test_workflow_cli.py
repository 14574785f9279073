"""The `workflow` commands as a real subprocess, on a temp data dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEMO = {
    "name": "demo",
    "inputs": {"n": {"type": "integer", "default": 1}},
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": "${ctx.n}"}},
        {"name": "b", "action": "fail", "condition": "ctx.n > 1", "inputs": {"message": "too big"}},
        {"name": "c", "action": "notify", "inputs": {"title": "done", "message": "n=${ctx.n}"}},
    ],
}


def test_import_list_run_show_history_rerun(cli: Any, tmp_path: Path) -> None:
    f = tmp_path / "demo.json"
    f.write_text(json.dumps(DEMO))
    r = cli("workflow", "import", str(f))
    assert r.returncode == 0, r.stderr
    assert "1. a [noop]" in r.stdout

    listed = json.loads(cli("workflow", "list", "--json").stdout)
    by_name = {d["name"]: d for d in listed}
    assert by_name["demo"]["runnable"] and by_name["demo"]["origin"] == "user"
    assert "trend-to-release" in by_name

    ok = cli("workflow", "run", "demo", "--input", "n=1")
    assert ok.returncode == 0, ok.stderr
    assert "ok a" in ok.stdout and "- b skipped" in ok.stdout and "demo succeeded" in ok.stdout

    bad = cli("workflow", "run", "demo", "--input", "n=2", "--json")
    assert bad.returncode == 1
    assert "too big" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    failed = json.loads(bad.stdout)
    assert failed["status"] == "failed" and failed["failed_step"] == "b"

    shown = json.loads(cli("workflow", "show", failed["id"][:10], "--json").stdout)
    assert [s["status"] for s in shown["steps"]] == ["succeeded", "failed", "pending"]

    history = json.loads(cli("workflow", "history", "demo", "--json").stdout)
    assert [h["status"] for h in history] == ["failed", "succeeded"]

    refused = cli("workflow", "resume", failed["id"])
    assert refused.returncode == 1 and "only interrupted runs can be resumed" in refused.stderr

    again = cli("workflow", "rerun", failed["id"], "--from", "b", "--input", "n=1", "--json")
    assert again.returncode == 0, again.stderr
    rerun = json.loads(again.stdout)
    assert rerun["status"] == "succeeded" and rerun["rerun_of"] == failed["id"]
    assert [s["reused"] for s in rerun["steps"]] == [True, False, False]


def test_bad_input_and_usage_errors(cli: Any, tmp_path: Path) -> None:
    r = cli("workflow", "run", "nope")
    assert r.returncode == 1 and "no workflow named 'nope'" in r.stderr
    r = cli("workflow", "run", "approval-demo", "--input", "pause=soon")
    assert r.returncode == 1 and "must be a number" in r.stderr
    r = cli("workflow", "run")
    assert r.returncode == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "steps": [{"name": "a", "action": "noop", "condition": "1 +"}]}')
    r = cli("workflow", "import", str(bad))
    assert r.returncode == 1 and "condition" in r.stderr
    r = cli("workflow", "show", "0123456789")
    assert r.returncode == 1 and "no workflow run" in r.stderr


def _wait_for_step(cli: Any, run_id: str, step: str, status: str, timeout: float = 60) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + timeout
    while True:
        r = cli("workflow", "show", run_id, "--json")
        if r.returncode == 0:
            detail = json.loads(r.stdout)
            if {s["name"]: s["status"] for s in detail["steps"]}.get(step) == status:
                return dict(detail)
        assert time.monotonic() < deadline, f"{step} never became {status}"
        time.sleep(0.2)


def test_another_process_approves_then_cancels_a_running_workflow(data_dir: Path) -> None:
    """Two CLI processes: one runs approval-demo, others approve and cancel it through the database."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ)
    env.pop("TRENDFORGE_HOME", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(root / "main.py"), "--data-dir", str(data_dir), *args],
                              capture_output=True, text=True, env=env, timeout=120, check=False)

    def start() -> tuple[subprocess.Popen[str], str]:
        proc = subprocess.Popen([sys.executable, str(root / "main.py"), "--data-dir", str(data_dir), "workflow", "run",
                                 "approval-demo", "--input", "what=v2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        assert proc.stdout is not None
        first = proc.stdout.readline().split()
        assert first[0] == "run", first
        return proc, first[1]

    proc, run_id = start()
    try:
        _wait_for_step(cli, run_id, "approve", "running")
        r = cli("workflow", "approve", run_id[:8], "--note", "ship it")
        assert r.returncode == 0, r.stderr
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "approval-demo succeeded" in out
    finally:
        proc.kill() if proc.poll() is None else None

    proc, run_id = start()
    try:
        _wait_for_step(cli, run_id, "approve", "running")
        r = cli("workflow", "cancel", run_id)
        assert r.returncode == 0 and "cancel requested" in r.stdout, r.stderr
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1 and "cancelled" in err
    finally:
        proc.kill() if proc.poll() is None else None
    detail = json.loads(cli("workflow", "show", run_id, "--json").stdout)
    assert detail["status"] == "cancelled"
    assert [s["status"] for s in detail["steps"]] == ["succeeded", "skipped", "cancelled", "pending"]


def test_sigkill_the_cli_mid_workflow_then_resume_from_another_cli(data_dir: Path) -> None:
    """The real CLI is killed while a run waits for approval; the next CLI finds it interrupted and resumes it."""
    import os
    import signal
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ)
    env.pop("TRENDFORGE_HOME", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(root / "main.py"), "--data-dir", str(data_dir), *args],
                              capture_output=True, text=True, env=env, timeout=120, check=False)

    def popen(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, str(root / "main.py"), "--data-dir", str(data_dir), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    first = popen("workflow", "run", "approval-demo", "--input", "what=the build")
    assert first.stdout is not None
    run_id = first.stdout.readline().split()[1]
    _wait_for_step(cli, run_id, "approve", "running")
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL

    shown = json.loads(cli("workflow", "show", run_id, "--json").stdout)
    assert shown["status"] == "interrupted"
    assert [s["status"] for s in shown["steps"]] == ["succeeded", "skipped", "interrupted", "pending"]
    health = cli("health", "--json")
    assert "interrupted run" in health.stdout

    second = popen("workflow", "resume", run_id)
    try:
        _wait_for_step(cli, run_id, "approve", "running")
        assert cli("workflow", "approve", run_id).returncode == 0
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert "approval-demo succeeded" in out
    finally:
        second.kill() if second.poll() is None else None
    final = json.loads(cli("workflow", "show", run_id, "--json").stdout)
    assert final["status"] == "succeeded"
    assert [s["attempts"] for s in final["steps"]] == [1, 0, 2, 1]
    events = json.loads(cli("events", "list", "--correlation", run_id, "--type", "workflow.notified", "--json").stdout)
    assert sorted(e["payload"]["title"] for e in events) == ["Approval needed", "Approved"]  # nothing ran twice
