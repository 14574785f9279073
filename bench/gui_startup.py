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
                   TRENDFORGE_QUIT_WHEN_FILLED="1")
        app_cmd = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--quit-after", "120"]
        bare_cmd = [sys.executable, "-c", BARE, str(report)]
        _marks(app_cmd, report, env)  # warm the page cache once each
        _marks(bare_cmd, report, env)
        filled, complete, bare, stalls = [], [], [], []
        for _ in range(args.rounds):  # interleaved: app, bare, app, bare...
            start, marks = _marks(app_cmd, report, env)
            if "filled" not in marks:
                raise SystemExit(f"the app reported no 'filled' mark: {marks}")
            filled.append(marks["filled"] - start)
            complete.append(marks["complete"] - start)
            stalls.append(marks["stall"])
            start, marks = _marks(bare_cmd, report, env)
            bare.append(marks["shown"] - start)
        base = statistics.median(bare)
        value = statistics.median(filled)
        row(f"GUI start-up to first panel filled, {args.events:,} events", value, base, "s", "<= 2.5x", value <= 2.5 * base)
        row("GUI start-up complete (every area built), for the report", statistics.median(complete), base, "s",
            "(report)", True)
        worst = max(stalls) * 1000
        row("worst GUI-thread stall during start-up (max of runs)", worst, 50.0, "ms", "< 50 ms", worst < 50)
        print(f"(stalls per run, ms: {', '.join(f'{s * 1000:.0f}' for s in stalls)}; {load()})")


if __name__ == "__main__":
    main()
