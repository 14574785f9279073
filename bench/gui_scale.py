"""The real window on a studio-sized data dir: the worst GUI-thread stall per action beside an idle
heartbeat, and memory beside a bare window.

A 5 ms QTimer heartbeat runs on the GUI thread; an action's stall is the longest gap between two
beats from the action until the window settles. The data dir is bench/seeded.py's (cached outside
the repository, reused). Actions: open each panel, type in each search box
(one key every 120 ms, as a person types), click the first rows. Target: every worst stall < 50 ms;
RSS with every panel open at most 2x a bare window plus the data shown.

Not measured here yet: syncing 10,000 Stripe objects from the stand-in into the open window.

Run: .venv/bin/python bench/gui_scale.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.table import load, row  # noqa: E402

BARE = """
import os, sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 800); w.show()
for _ in range(20): app.processEvents()
print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])
"""


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    from bench.seeded import data_dir as seeded_dir

    data_dir = seeded_dir(args.rows)

    bare = int(subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True, check=True,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout.strip().splitlines()[-1])

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.secrets import MemorySecretStore
    from ui.app_runner import create_window

    app = QApplication.instance() or QApplication(sys.argv)
    beats: list[float] = []
    heart = QTimer(interval=5)
    heart.timeout.connect(lambda: beats.append(time.perf_counter()))

    def pump(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    def worst_gap(action: object, settle: float = 1.5) -> float:
        beats.clear()
        beats.append(time.perf_counter())
        if callable(action):
            action()
        pump(settle)
        beats.append(time.perf_counter())
        return max(b - a for a, b in pairwise(beats)) * 1000

    services = bootstrap(AppConfig(data_dir=data_dir, log_to_file=False), secrets=MemorySecretStore())
    window = create_window(services)
    window.resize(1280, 800)
    window.show()
    heart.start()
    pump(2.0)
    idle = worst_gap(None, 2.0)
    print(f"{args.rows:,} rows per table; idle heartbeat worst gap {idle:.1f} ms; {load()}")

    def typing(edit: object, text: str) -> object:
        def go() -> None:
            for i in range(1, len(text) + 1):
                edit.setText(text[:i])  # type: ignore[attr-defined]
                pump(0.12)
        return go

    results: list[tuple[str, float]] = []
    searches = {"Payments": "obj_4242", "Events": "obj_4200", "Templates": "daily quiz", "Trends": "coffee"}
    for title in ("Home", "Templates", "Payments", "Trends", "Builds", "Workflows", "Events", "Releases"):
        results.append((f"open {title}", worst_gap(lambda title=title: window.show_panel(title))))
        panel = window.panels.get(title)
        edit = getattr(panel, "search_edit", None) or getattr(panel, "search", None)
        if title in searches and edit is not None and hasattr(edit, "setText"):
            results.append((f"type in {title} search", worst_gap(typing(edit, searches[title]))))
            edit.setText("")
            pump(1.0)
        table = getattr(panel, "table", None)
        if table is not None and hasattr(table, "selectRow"):
            results.append((f"click rows in {title}", worst_gap(lambda table=table: [table.selectRow(r) for r in (0, 1, 2)])))
    for action, gap in results:
        row(f"GUI stall: {action}", gap, idle, "ms", "< 50 ms", gap < 50)
    rss = rss_kb()
    row("RSS, every panel open", rss / 1024, bare / 1024, "MB", "<= 2x bare + data", rss <= 2 * bare + 50 * 1024)
    print(load())
    heart.stop()
    window.close()
    services.close()


if __name__ == "__main__":
    main()
