"""A real crash: a process running a workflow is SIGKILLed mid-step; a new process recovers.

The first process runs a workflow whose middle step blocks until a gate file appears. The test
kills it with SIGKILL while that step runs, reaps it, and starts a second process on the same
data dir: start-up marks the run interrupted; the second process resumes (idempotent step) or
is refused and compensates (non-idempotent step). Side effects are counted in a file, so a
step that ran twice would show twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r'''
import asyncio, json, os, sys, pathlib
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from services.actions import Param
from app.errors import UserError

data, side, gate, mode, idem = sys.argv[1:6]
side, gate = pathlib.Path(side), pathlib.Path(gate)

def log(line):
    with side.open("a") as f:
        f.write(line + "\n"); f.flush(); os.fsync(f.fileno())

manager = bootstrap(AppConfig.from_env(pathlib.Path(data)), secrets=MemorySecretStore())
svc = manager.workflows
reg = svc.registry

@reg.action("count", Param("tag", str), idempotent=False)
def count(actx, tag):
    log(tag)
    return {"tag": tag}

@reg.action("uncount", Param("tag", str), idempotent=True)
def uncount(actx, tag):
    log("undo:" + tag)
    return {}

@reg.action("block", Param("tag", str), idempotent=(idem == "1"))
async def block(actx, tag):
    log("enter:" + tag)
    while not gate.exists():
        await asyncio.sleep(0.02)
    return {"tag": tag}

DEF = {"name": "crashy", "steps": [
    {"name": "one", "action": "count", "inputs": {"tag": "one"}, "compensation": {"action": "uncount", "inputs": {"tag": "one"}}},
    {"name": "wait", "action": "block", "inputs": {"tag": "wait"}, "compensation": {"action": "uncount", "inputs": {"tag": "wait"}}},
    {"name": "two", "action": "count", "inputs": {"tag": "two"}},
]}

async def main():
    out = {}
    if mode == "run":
        from app.workflows.definition import parse_definition
        run_id = svc.engine.start(parse_definition(DEF), {})
        print(run_id, flush=True)
        await svc.wait(run_id)
        return
    run_id = mode.split(":", 1)[1]
    action = mode.split(":", 1)[0]
    out["after_restart"] = svc.show(run_id)["status"]
    out["in_flight"] = [s["status"] for s in svc.show(run_id)["steps"]]
    gate.touch()
    try:
        svc.resume(run_id)
        out["resume"] = "ok"
    except UserError as exc:
        out["resume"] = str(exc)
        out["remedy"] = type(exc.remedy).__name__
        if action == "compensate":
            svc.compensate(run_id)
    await svc.wait(run_id)
    detail = svc.show(run_id)
    out["final"] = detail["status"]
    out["steps"] = {s["name"]: s["status"] for s in detail["steps"]}
    print(json.dumps(out), flush=True)

asyncio.run(main())
manager.close()
'''


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("TRENDFORGE_HOME", None)
    return env


def crash_then_recover(tmp_path: Path, idempotent: bool, action: str) -> tuple[dict[str, Any], list[str]]:
    script = tmp_path / "wf_script.py"
    script.write_text(SCRIPT)
    data, side, gate = tmp_path / "data", tmp_path / "side.txt", tmp_path / "gate"
    idem = "1" if idempotent else "0"
    first = subprocess.Popen(
        [sys.executable, str(script), str(data), str(side), str(gate), "run", idem],
        stdout=subprocess.PIPE, text=True, env=_env(),
    )
    assert first.stdout is not None
    run_id = first.stdout.readline().strip()
    assert len(run_id) == 32, run_id
    deadline = time.monotonic() + 30
    while not (side.exists() and "enter:wait" in side.read_text()):
        assert first.poll() is None, "the first process ended before the blocking step"
        assert time.monotonic() < deadline, "the blocking step never started"
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)  # a real crash: no cleanup, no final write
    assert first.wait(10) == -signal.SIGKILL
    first.stdout.close()
    second = subprocess.run(
        [sys.executable, str(script), str(data), str(side), str(gate), f"{action}:{run_id}", idem],
        capture_output=True, text=True, env=_env(), timeout=120, check=False,
    )
    assert second.returncode == 0, second.stderr
    return json.loads(second.stdout.strip().splitlines()[-1]), side.read_text().split()


@pytest.mark.slow
def test_sigkill_mid_step_then_resume_reruns_only_the_idempotent_step(tmp_path: Path) -> None:
    out, side = crash_then_recover(tmp_path, idempotent=True, action="resume")
    assert out["after_restart"] == "interrupted"
    assert out["in_flight"] == ["succeeded", "interrupted", "pending"]
    assert out["resume"] == "ok"
    assert out["final"] == "succeeded"
    # 'one' (not idempotent) ran exactly once; the idempotent blocking step was entered twice
    assert side == ["one", "enter:wait", "enter:wait", "two"]


@pytest.mark.slow
def test_sigkill_mid_non_idempotent_step_refuses_resume_and_compensates(tmp_path: Path) -> None:
    out, side = crash_then_recover(tmp_path, idempotent=False, action="compensate")
    assert out["after_restart"] == "interrupted"
    assert "not idempotent" in out["resume"] and out["remedy"] == "CompensateRun"
    assert out["final"] == "compensated"
    assert out["steps"] == {"one": "compensated", "wait": "compensated", "two": "pending"}
    # nothing ran twice: the blocking step was entered once, 'one' once, undone in reverse
    assert side == ["one", "enter:wait", "undo:wait", "undo:one"]
