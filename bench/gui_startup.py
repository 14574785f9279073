"""GUI start-up on a data dir with 1,000,000 events, beside a bare PySide6 window in the same run.

Figures (wall time from process start, medians of interleaved runs):
- services attached and the first panel filled (the app's ``filled`` mark: services attached,
  then every background read settled), beside a bare window shown (target: at most 2.5x);
- start-up complete (``complete``: then the areas the first panel does not read built too), for
  the report;
- the worst GUI-thread stall during start-up: the longest gap of a 5 ms heartbeat on the GUI
  thread from the window shown to start-up complete (target: under 50 ms).

The app writes its marks to ``TRENDFORGE_STARTUP_REPORT`` (``shown``, ``ready``, ``filled``,
``complete``, ``stall``) and, with ``TRENDFORGE_QUIT_WHEN_FILLED``, quits once complete. The data dir is seeded once (bench/foundation_bench.py's seeding, batched
executemany) and reused between runs.

Bytecode is cached as an installed app's is (a private cache dir, filled by the warm-up round, for
the app and the baselines alike), whatever the caller's PYTHONDONTWRITEBYTECODE says: without it
every round compiles the app's sources again, and ``compile`` holds the GIL for the whole of a
module (50-130 ms for the larger ones: stalls no installed app has).

The floor, for the report: a bare window shown, then the imports the services cannot avoid
(SQLAlchemy's ORM, sqlite3, asyncio and qasync) in the same process, as the app does them.

Run: .venv/bin/python bench/gui_startup.py [--events N] [--rounds N] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.foundation_bench import BARE, seed  # noqa: E402
from bench.table import load, row  # noqa: E402

FLOOR = """
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1200, 760); w.setWindowTitle("floor"); w.show()
app.processEvents()
import asyncio, sqlite3, qasync, sqlalchemy.orm  # what any SQLAlchemy-backed service layer on qasync imports
Path(sys.argv[1]).write_text(f"shown {time.time():.6f}")
"""


def _marks(cmd: list[str], report: Path, env: dict[str, str]) -> tuple[float, dict[str, float]]:
    report.unlink(missing_ok=True)
    start = time.time()
    subprocess.run(cmd, env=env, check=True, timeout=180, capture_output=True)
    marks = {k: float(v) for k, v in (line.split()[:2] for line in report.read_text().splitlines())}
    return start, marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=None, help="a data dir to seed (or reuse, if seeded)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tf-bench-startup-") as d:
        tmp = Path(d)
        data_dir = args.data or tmp / "big"
        t = time.perf_counter()
        seed(data_dir, args.events)
        print(f"(data dir with {args.events:,} events ready in {time.perf_counter() - t:.1f} s; {load()})", flush=True)
        report = tmp / "marks.txt"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TRENDFORGE_STARTUP_REPORT=str(report),
                   TRENDFORGE_QUIT_WHEN_FILLED="1", PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        app_cmd = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--quit-after", "120"]
        bare_cmd = [sys.executable, "-c", BARE, str(report)]
        floor_cmd = [sys.executable, "-c", FLOOR, str(report)]
        for cmd in (app_cmd, bare_cmd, floor_cmd):  # warm the page cache and fill the bytecode cache once each
            _marks(cmd, report, env)
        filled, complete, bare, floor, stalls = [], [], [], [], []
        for _ in range(args.rounds):  # interleaved: app, bare, app, bare...
            start, marks = _marks(app_cmd, report, env)
            if "filled" not in marks:
                raise SystemExit(f"the app reported no 'filled' mark: {marks}")
            filled.append(marks["filled"] - start)
            complete.append(marks["complete"] - start)
            stalls.append(marks["stall"])
            start, marks = _marks(bare_cmd, report, env)
            bare.append(marks["shown"] - start)
            start, marks = _marks(floor_cmd, report, env)
            floor.append(marks["shown"] - start)
        base = statistics.median(bare)
        value = statistics.median(filled)
        row(f"GUI start-up to first panel filled, {args.events:,} events", value, base, "s", "<= 2.5x", value <= 2.5 * base)
        row("floor: a bare window, then the ORM, sqlite3, asyncio and qasync imported", statistics.median(floor), base,
            "s", "(report)", True)
        row("GUI start-up to first panel filled, beside the floor", value, statistics.median(floor), "s", "(report)",
            True)
        row("GUI start-up complete (every area built), for the report", statistics.median(complete), base, "s",
            "(report)", True)
        worst = max(stalls) * 1000
        row("worst GUI-thread stall during start-up (max of runs)", worst, 50.0, "ms", "< 50 ms", worst < 50)
        print(f"(stalls per run, ms: {', '.join(f'{s * 1000:.0f}' for s in stalls)}; {load()})")


if __name__ == "__main__":
    main()
