"""trend-to-release SIGKILLed inside each of its steps, then ``trendforge workflow compensate``.

The first process runs the real workflow (real template import, real Android build, real
signature check, real folder deploy). For every step but the build, the step's real action runs
to its end and the process then hangs before the engine can record the step's output: the worst
moment, the effect is there and the output is not. The build is killed while its tools run.
The CLI, started after the kill, must undo everything with what the steps remembered.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r'''
import asyncio, dataclasses, inspect, os, pathlib, sys
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from ui.cli.loop import run_on_loop

data, side, target, deploy_dir, sample = sys.argv[1:6]
side = pathlib.Path(side)

def log(line):
    with side.open("a") as f:
        f.write(line + "\n"); f.flush(); os.fsync(f.fileno())

manager = bootstrap(AppConfig.from_env(pathlib.Path(data)), secrets=MemorySecretStore())
base = manager.templates.import_path(pathlib.Path(sample)).template_id
csv = pathlib.Path(data) / "trends.csv"
csv.write_text("title,volume\nCozy cat cafe,1000\n")
manager.trends.import_csv("reddit", csv)
manager.builds.create_key("release")
wf = manager.workflows
reg = wf.registry

def hang_after(name):
    spec = reg.get(name)
    real = spec.func
    async def wrapped(actx, **kw):
        result = real(actx, **kw)
        if inspect.isawaitable(result):
            result = await result
        log("done:" + actx.step)
        while actx.step == target:
            await asyncio.sleep(1)  # the effect is there, its output not yet recorded: kill here
        return result
    reg.register(dataclasses.replace(spec, func=wrapped), replace=True)

for name in ("trends.pick", "templates.create_from_base", "builds.sign", "builds.deploy"):
    hang_after(name)

async def main():
    run_id = wf.start("trend-to-release", {"base_template": base, "deploy_dir": deploy_dir})
    print(run_id, flush=True)
    await wf.wait(run_id)

run_on_loop(main)
'''

STEPS = ("pick", "template", "build", "sign", "deploy")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("TRENDFORGE_HOME", None)
    return env


def _building(db: Path) -> bool:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM builds WHERE state = 'running' AND step != ''").fetchone()[0] > 0
    except sqlite3.OperationalError:
        return False


def _kill_inside(step: str, tmp_path: Path, data_dir: Path, deploy_dir: Path) -> str:
    script = tmp_path / "t2r.py"
    script.write_text(SCRIPT)
    side = tmp_path / "side.txt"
    sample = ROOT / "resources" / "samples" / "quotes-daily"
    proc = subprocess.Popen([sys.executable, str(script), str(data_dir), str(side), step, str(deploy_dir), str(sample)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    assert len(run_id) == 32, proc.stderr.read() if proc.stderr else run_id
    deadline = time.monotonic() + 240

    def inside() -> bool:
        if step == "build":
            return _building(data_dir / "trendforge.sqlite3")
        return side.exists() and f"done:{step}" in side.read_text().split()

    while not inside():
        assert proc.poll() is None, f"the run ended before step {step!r}: {proc.stderr.read() if proc.stderr else ''}"
        assert time.monotonic() < deadline, f"step {step!r} never started"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)  # a real crash: no cleanup, no final write
    assert proc.wait(10) == -signal.SIGKILL
    proc.stdout.close()
    if proc.stderr is not None:
        proc.stderr.close()
    return run_id


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS)
def test_killed_inside_a_step_then_compensate_undoes_everything(step: str, tmp_path: Path, data_dir: Path,
                                                               cli: Any, make_services: Any) -> None:
    deploy_dir = tmp_path / "release"
    deploy_dir.mkdir()
    run_id = _kill_inside(step, tmp_path, data_dir, deploy_dir)
    if not (data_dir / "trendforge.sqlite3").is_file():
        pytest.fail("the first process wrote no database")

    undo = cli("workflow", "compensate", run_id, timeout=300)
    assert undo.returncode == 0, undo.stdout + undo.stderr
    assert "trend-to-release compensated" in undo.stdout

    shown = cli("--json", "workflow", "show", run_id)
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail["status"] == "compensated"
    steps = {s["name"]: s for s in detail["steps"]}
    assert all(s["compensation_error"] in (None, "") for s in steps.values()), steps
    assert not [p for p in deploy_dir.iterdir() if p.suffix == ".apk"]  # nothing released
    manager = make_services()
    templates = manager.templates
    made = (steps["template"]["output"] or {}).get("template_id")
    if STEPS.index(step) >= STEPS.index("template"):
        assert made, steps["template"]
        assert templates.get(made, include_deleted=True).status.value == "archived"
    else:
        assert made is None
    builds = manager.builds.list_builds()
    if STEPS.index(step) >= STEPS.index("build"):
        (build,) = builds
        assert steps["build"]["output"]["build_id"] == build.id
        assert not (manager.builds.builds_dir / build.id / "out").exists()
    else:
        assert builds == []
