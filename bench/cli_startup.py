"""How fast the CLI answers, each command beside its baseline measured in the same run.

Figures (wall time of a fresh process, median of interleaved rounds):
- ``trendforge --version`` beside ``python -c pass`` (target: under 2x);
- ``health``, ``templates list --json``, ``builds list``, ``events list --limit 50`` beside
  ``python -c "import sqlalchemy.orm, PySide6.QtCore"`` (target: at most 1.5x each).

The data dir is made (and migrated) once before the rounds, as a user's would be. Bytecode is cached
as an installed app's is (a private cache dir, filled by the warm-up round), whatever the caller's
PYTHONDONTWRITEBYTECODE says: without it every round would compile the app's sources again.

Each line also gives the CPU time (user + system of the process and its children) beside the
baseline's: on a shared, loaded machine wall time swings with the load, CPU time much less.

Run: .venv/bin/python bench/cli_startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = str(ROOT / "main.py")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``argv``; CPU counts the process and what it waited for."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # health exits 1 when a service is down; that is still an answer
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="tf-bench-cli-") as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        data = str(Path(tmp) / "home")
        subprocess.run([py, MAIN, "--data-dir", data, "health"], env=env, capture_output=True, check=False)
        cases: dict[str, list[str]] = {
            "python -c pass": [py, "-c", "pass"],
            "import sqlalchemy.orm, PySide6.QtCore": [py, "-c", "import sqlalchemy.orm, PySide6.QtCore"],
            "trendforge --version": [py, MAIN, "--version"],
            "trendforge health": [py, MAIN, "--data-dir", data, "health"],
            "trendforge templates list --json": [py, MAIN, "--data-dir", data, "--json", "templates", "list"],
            "trendforge builds list": [py, MAIN, "--data-dir", data, "builds", "list"],
            "trendforge events list --limit 50": [py, MAIN, "--data-dir", data, "events", "list", "--limit", "50"],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for argv in cases.values():  # warm the OS file cache once
            timed(argv, env)
        for _ in range(args.rounds):
            for name, argv in cases.items():  # interleaved: every case once per round
                wall, cpu = timed(argv, env)
                times[name].append(wall)
                cpus[name].append(cpu)
    med = {name: statistics.median(values) for name, values in times.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpus.items()}
    bare, heavy = med["python -c pass"], med["import sqlalchemy.orm, PySide6.QtCore"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"median of {args.rounds} interleaved rounds (wall time per process); load average {load:.2f}")
    for name, baseline_name, target in (
        ("trendforge --version", "python -c pass", 2.0),
        ("trendforge health", "import sqlalchemy.orm, PySide6.QtCore", 1.5),
        ("trendforge templates list --json", "import sqlalchemy.orm, PySide6.QtCore", 1.5),
        ("trendforge builds list", "import sqlalchemy.orm, PySide6.QtCore", 1.5),
        ("trendforge events list --limit 50", "import sqlalchemy.orm, PySide6.QtCore", 1.5),
    ):
        base = bare if baseline_name == "python -c pass" else heavy
        ratio = med[name] / base
        verdict = "ok" if ratio <= target else "MISSED"
        cpu, cpu_base = med_cpu[name], med_cpu[baseline_name]
        cpu_ratio = cpu / cpu_base if cpu_base else float("nan")
        print(f"{name:<36} {med[name] * 1000:8.1f} ms   baseline {baseline_name:<38} {base * 1000:8.1f} ms"
              f"   ratio {ratio:5.2f}   target <= {target:.1f}x  {verdict}"
              f"   (CPU {cpu * 1000:6.0f} ms vs {cpu_base * 1000:6.0f} ms: {cpu_ratio:4.2f}x)")


if __name__ == "__main__":
    main()
