"""Workflow engine benchmarks (run: .venv/bin/python bench/workflows_engine.py).

1. Engine overhead per no-op step, fully persisted (write-ahead start + end commits with their
   events), beside a bare loop calling the same action the same number of times.
   Target: under 2 ms per step and 500+ steps/s.
2. Start-up recovery with 10,000 runs in history (plus 100 left in flight by a dead process),
   beside the same start-up on an empty history.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from app.workflows.definition import parse_definition
from services.actions import ActionContext
from services.bootstrap import Services, bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from services.workflows.models import WorkflowRunRecord, WorkflowStepRecord
from services.workflows.service import WorkflowsService

STEPS_PER_RUN = 100
RUNS = 8
HISTORY = 10_000
IN_FLIGHT = 100


def make(data_dir: Path) -> Services:
    config = AppConfig.from_env(data_dir)
    config.log_to_file = False
    return bootstrap(config, secrets=MemorySecretStore())


def wf_of(m: Services) -> WorkflowsService:
    svc = m.workflows
    assert isinstance(svc, WorkflowsService)
    return svc


def bench_steps() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        m = make(Path(tmp))
        wf = wf_of(m)
        defn = parse_definition(
            {"name": "bench", "steps": [{"name": f"s{i}", "action": "noop", "inputs": {"value": i}} for i in range(STEPS_PER_RUN)]}
        )
        spec = wf.registry.get("noop")

        async def engine_runs() -> float:
            await wf.engine.run(defn, {})  # warm-up
            t0 = time.perf_counter()
            for _ in range(RUNS):
                await wf.engine.run(defn, {})
            return time.perf_counter() - t0

        async def bare_loop() -> float:
            t0 = time.perf_counter()
            for _ in range(RUNS):
                for i in range(STEPS_PER_RUN):
                    actx = ActionContext(run_id="x", workflow="bench", step=f"s{i}", attempt=1, data_dir=m.ctx.data_dir, uow=m.ctx.new_uow)
                    spec.func(actx, value=i)
                    await asyncio.sleep(0)
            return time.perf_counter() - t0

        engine_s = asyncio.run(engine_runs())
        bare_s = asyncio.run(bare_loop())
        n = RUNS * STEPS_PER_RUN
        per_step = engine_s / n * 1000
        per_bare = bare_s / n * 1000
        print(f"no-op persisted step     : {per_step:7.3f} ms/step  {n / engine_s:8.0f} steps/s   "
              f"(target < 2 ms, >= 500/s: {'OK' if per_step < 2 and n / engine_s >= 500 else 'MISSED'})")
        print(f"  baseline bare loop     : {per_bare:7.4f} ms/step  {n / bare_s:8.0f} steps/s   "
              f"engine overhead {per_step - per_bare:.3f} ms/step ({per_step / per_bare:.0f}x the bare call)")
        async def concurrent() -> float:
            t0 = time.perf_counter()
            ids = [wf.engine.start(defn, {}) for _ in range(RUNS)]
            await asyncio.gather(*(wf.engine.wait(i) for i in ids))
            return time.perf_counter() - t0

        conc_s = asyncio.run(concurrent())
        print(f"  {RUNS} runs at once        : {conc_s / n * 1000:7.3f} ms/step  {n / conc_s:8.0f} steps/s   "
              f"({conc_s / engine_s:.2f}x the time of running them one after another)")
        events = m.events.total()
        print(f"  ({RUNS} runs x {STEPS_PER_RUN} steps per figure; every step = 2 commits; {events} events persisted in all)")
        m.close()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def fill_history(m: Services) -> None:
    now = datetime.now(UTC)
    pid = dead_pid()
    runs, steps = [], []
    body = {"name": "hist", "steps": [{"name": f"s{i}", "action": "noop"} for i in range(3)]}
    for i in range(HISTORY + IN_FLIGHT):
        rid = uuid.uuid4().hex
        flying = i >= HISTORY
        runs.append({"id": rid, "workflow": "hist", "version": 1, "definition": body,
                     "status": "running" if flying else "succeeded", "phase": "forward", "inputs": {},
                     "created_at": now, "started_at": now, "ended_at": None if flying else now,
                     "owner_pid": pid if flying else None, "cancel_requested": False, "signals": {}})
        for pos in range(3):
            status = "succeeded" if not flying or pos == 0 else ("running" if pos == 1 else "pending")
            steps.append({"run_id": rid, "position": pos, "name": f"s{pos}", "action": "noop", "status": status,
                          "attempts": 1 if status != "pending" else 0, "reused": False, "compensation_attempts": 0})
    with m.ctx.engine.begin() as conn:
        conn.execute(insert(WorkflowRunRecord), runs)
        conn.execute(insert(WorkflowStepRecord), steps)


def bench_recovery() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        empty_dir = Path(tmp) / "empty"
        make(empty_dir).close()  # migrate once
        t0 = time.perf_counter()
        make(empty_dir).close()
        empty_s = time.perf_counter() - t0

        full_dir = Path(tmp) / "full"
        m = make(full_dir)
        fill_history(m)
        m.close()
        t0 = time.perf_counter()
        m = make(full_dir)
        full_s = time.perf_counter() - t0
        wf = wf_of(m)
        interrupted = len(wf.history("hist", limit=HISTORY * 2, status="interrupted"))
        # the recovery query alone, with nothing left to mark (every later start-up)
        t0 = time.perf_counter()
        again = wf.recover()
        idle_s = time.perf_counter() - t0
        m.close()
        print(f"start-up with {HISTORY} runs + {IN_FLIGHT} in flight: {full_s * 1000:7.1f} ms "
              f"(marked {interrupted} interrupted)  vs empty history {empty_s * 1000:7.1f} ms  "
              f"-> recovery costs {max(full_s - empty_s, 0) * 1000:.1f} ms ({full_s / empty_s:.2f}x)")
        print(f"  recover() again with nothing in flight: {idle_s * 1000:.2f} ms ({len(again)} marked)")


def main() -> None:
    print("== workflows engine")
    bench_steps()
    bench_recovery()


if __name__ == "__main__":
    main()
