"""The real window on a studio-sized data dir: the worst GUI-thread stall per action beside an idle
heartbeat, and memory beside a bare window.

A 5 ms QTimer heartbeat runs on the GUI thread; an action's stall is the longest gap between two
beats from the action until the window settles. The data dir is bench/seeded.py's (cached outside
the repository, reused). Actions: open each panel, type in each search box
(one key every 120 ms, as a person types), click the first rows, and sync 10,000 Stripe objects
from bench/payments_sync.py's stand-in (a child process on loopback, new ids each run so they are
inserted into the big ledger) with the Payments panel open. The window runs on a qasync loop, as
the app does, with the app's garbage collection: none while it starts, then what start-up built
frozen once the panels are warmed and the workers settled (ui/startup_gc.py). Without that, every
sync ran one full collection of the whole heap (~90 ms, on a worker, holding the GIL), which
the app never does; a full collection inside an action is printed under it. Target: every worst stall < 50 ms; RSS with every panel open at most 2x a bare
window plus the data shown: the rows its models hold and the pixmaps it shows, measured in the
same run (bench/rss_parts.py), printed with where the RSS is (anonymous vs libraries, the C
heap, SQLite's caches). Two report rows split that figure: a fresh process with the floor plus
every library module the window had loaded imported (the libraries' whole share), then with every
module of ours it had loaded imported too, nothing built (the code alone); the window holds the rest.

``--profile`` samples the GUI thread's Python stack every millisecond and prints, under each
action, where the samples inside its worst gap were (bench/gui_stalls.py).

Run: .venv/bin/python bench/gui_scale.py [--rows 1000000] [--profile] [--only Payments,...]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import threading
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


# the floor no change of ours can go below: a bare window with the libraries the services are built on imported
# (the same way main.py imports them: PySide6's hook made cheap, httpx without its command-line client)
FLOOR = """
import os, sys
import PySide6.QtCore
from services.qt_imports import skip_feature_source_scans
skip_feature_source_scans()
from services.httpx_import import skip_httpx_command_line
skip_httpx_command_line()
from PySide6.QtWidgets import QApplication, QMainWindow
import PySide6.QtCharts  # the Payments panel's charts (PySide6's addons wheel)
from services.payments.providers.stripe_sdk import stripe  # as the provider imports it (without requests)
import asyncio, sqlite3, qasync, sqlalchemy.orm, httpx, keyring, cachetools, tenacity
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 800); w.show()
for _ in range(20): app.processEvents()
print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])
"""

# the floor, then every module the driven window had loaded, imported and nothing built: what the code alone
# costs (names on stdin; the bench's own modules and those that cannot be imported on their own are left out)
RSS_LINE = "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])\n"
FLOOR_AND_MODULES = FLOOR.replace(RSS_LINE, """
import gc, importlib
for name in sys.stdin.read().split():
    if name.split('.')[0] in ('bench', '__main__', '__mp_main__') or name in sys.modules:
        continue
    try:
        importlib.import_module(name)
    except Exception:
        pass
gc.collect()
for _ in range(20): app.processEvents()
""" + RSS_LINE)
if FLOOR_AND_MODULES == FLOOR:
    raise RuntimeError("FLOOR no longer ends with RSS_LINE: the modules-imported figure would be the floor's")


OUR_PACKAGES = frozenset({"app", "services", "ui", "resources"})


def modules_alone_kb(names: list[str]) -> int:
    """RSS of a fresh process holding the floor plus ``names`` imported, nothing built (see FLOOR_AND_MODULES)."""
    out = subprocess.run([sys.executable, "-c", FLOOR_AND_MODULES], input="\n".join(names), capture_output=True,
                         text=True, check=True, cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return int(out.stdout.strip().splitlines()[-1])


class FullCollections:
    """The full (generation 2) garbage collections seen, as (start, seconds, thread): a gc callback."""

    def __init__(self) -> None:
        self.runs: list[tuple[float, float, str]] = []
        self._start: dict[int, float] = {}

    def seen(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        now = time.perf_counter()
        if phase == "start":
            self._start[threading.get_ident()] = now
        else:
            began = self._start.pop(threading.get_ident(), now)
            self.runs.append((began, now - began, threading.current_thread().name))

    def since(self, start: float) -> list[tuple[float, str]]:
        return [(took, thread) for began, took, thread in self.runs if began >= start]


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--profile", action="store_true", help="where the GUI thread was during each worst gap")
    ap.add_argument("--only", default="", help="comma-separated panel titles (default: all)")
    args = ap.parse_args()
    from bench.payments_sync import KEY, N_BT, N_CH, N_PI, stand_in
    from bench.seeded import data_dir as seeded_dir

    data_dir = seeded_dir(args.rows)

    bare = int(subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True, check=True,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout.strip().splitlines()[-1])

    floor = int(subprocess.run([sys.executable, "-c", FLOOR], capture_output=True, text=True, check=True, cwd=ROOT,
                               env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout.strip().splitlines()[-1])

    from ui.startup_gc import pause as pause_garbage_collection

    pause_garbage_collection()  # as main.py does before the GUI's imports; resumed once start-up is complete
    import PySide6.QtCore  # noqa: F401 - first, then its import hook made cheap, as main.py does

    from services.httpx_import import skip_httpx_command_line
    from services.qt_imports import skip_feature_source_scans

    skip_feature_source_scans()
    skip_httpx_command_line()  # as main.py does
    from services import heap

    heap.limit_arenas()  # as the app's GUI does before its threads start (ui/app_runner.py)
    from PySide6.QtWidgets import QApplication

    from bench.gui_stalls import timed_application
    from services.runtime import job_runtime

    app, spans = timed_application(sys.argv) if args.profile else (QApplication(sys.argv), [])
    import qasync  # after PySide6, so qasync binds to it

    loop = qasync.QEventLoop(app)
    job_runtime().lend_to(loop)  # as the app's loop (ui/app_runner.py): else qasync starts 10 threads of its own
    asyncio.set_event_loop(loop)
    tag = f"b{int(time.time())}_"
    with stand_in(tag, int(time.time()) - N_PI * 60) as url, loop:
        os.environ["TRENDFORGE_STRIPE_BASE_URL"] = url
        loop.run_until_complete(_drive(data_dir, args, bare, floor, spans))
    print(f"(stripe objects: {N_PI + N_CH + N_BT:,} with ids {tag}*, key {KEY[:8]}…)")


async def _drive(data_dir: Path, args: argparse.Namespace, bare: int, floor: int, spans: list[tuple[float, float, str]]) -> None:
    from PySide6.QtCore import QTimer

    from bench.gui_stalls import Sampler, slow_events
    from bench.payments_sync import KEY
    from bench.rss_parts import parts, shown_data_bytes, still_resident_free_heap
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.runtime import GIVE_BACK_AFTER_MS
    from services.secrets import MemorySecretStore
    from ui.app_runner import GUI_SWITCH_INTERVAL, create_window, ui_settings
    from ui.background import when_settled
    from ui.startup_gc import resume as resume_garbage_collection

    beats: list[float] = []
    heart = QTimer(interval=5)
    heart.timeout.connect(lambda: beats.append(time.perf_counter()))
    sampler = Sampler() if args.profile else None
    full_collections = FullCollections()

    async def worst_gap(label: str, action: object, settle: float = 1.5) -> float:
        beats.clear()
        beats.append(time.perf_counter())
        started_at = beats[0]
        cpu_at = time.thread_time()  # this coroutine runs on the GUI thread (the loop is qasync's)
        if sampler is not None:
            sampler.start()
        if callable(action):
            started = action()
            if asyncio.iscoroutine(started):
                await started
        await asyncio.sleep(settle)
        beats.append(time.perf_counter())
        gaps = [(b - a, a, b) for a, b in pairwise(beats)]
        gap, a, b = max(gaps)
        print(f"  {label}: GUI-thread CPU {(time.thread_time() - cpu_at) * 1000:.0f} ms", flush=True)
        for took, thread in full_collections.since(started_at):
            print(f"  {label}: a full garbage collection ran inside it: {took * 1000:.0f} ms on {thread}", flush=True)
        if sampler is not None:
            sampler.stop()
            print(f"  {label}: worst gap {gap * 1000:.0f} ms", flush=True)
            for line in sampler.report(a, b):
                print(line, flush=True)
            for line in slow_events(spans, a, b):
                print(line, flush=True)
        return gap * 1000

    sys.setswitchinterval(GUI_SWITCH_INTERVAL)  # as the app's GUI runs (ui/app_runner.py)
    config = AppConfig.from_env(data_dir)
    config.log_to_file = False
    secrets = MemorySecretStore()
    secrets.set("provider:stripe", KEY)
    services = bootstrap(config, secrets=secrets)
    remembered = ui_settings(data_dir)
    remembered.setValue("window/panel", "Home")  # else the panel the last run ended on is built at start, not opened
    remembered.sync()
    window = create_window(services)
    window.resize(1280, 800)
    window.show()
    heart.start()
    await asyncio.sleep(2.0)
    warmed = asyncio.get_running_loop().create_future()
    window.panels_warmed.connect(lambda: warmed.done() or warmed.set_result(None))
    await asyncio.to_thread(services.build_all)  # as the app does once its first panel is filled (ui/app_runner.py),
    window.warm_panels()  # and then warms the panels
    await asyncio.wait_for(warmed, 120)
    settled = asyncio.get_running_loop().create_future()

    def on_settled() -> None:
        if not settled.done():
            settled.set_result(None)

    when_settled(window, on_settled)
    await asyncio.wait_for(settled, 120)
    resume_garbage_collection()  # start-up is complete, as the app's (ui/app_runner.py): what it built is frozen
    gc.callbacks.append(full_collections.seen)
    idle = await worst_gap("idle", None, 2.0)
    print(f"{args.rows:,} rows per table; idle heartbeat worst gap {idle:.1f} ms; {load()}", flush=True)

    def typing(edit: object, text: str) -> object:
        async def go() -> None:
            for i in range(1, len(text) + 1):
                edit.setText(text[:i])  # type: ignore[attr-defined]
                await asyncio.sleep(0.12)
        return go

    async def sync(panel: object) -> None:
        done = asyncio.get_running_loop().create_future()
        panel.sync_finished.connect(lambda result: done.done() or done.set_result(result))  # type: ignore[attr-defined]
        panel.start_sync()  # type: ignore[attr-defined]
        result = await asyncio.wait_for(done, 600)
        if isinstance(result, BaseException):
            raise result
        print(f"  synced: {[(r.provider.value, r.fetched, r.added, r.error) for r in result]}", flush=True)

    only = {t.strip() for t in args.only.split(",") if t.strip()}
    results: list[tuple[str, float]] = []
    searches = {"Payments": "obj_4242", "Events": "obj_4200", "Templates": "daily quiz", "Trends": "coffee"}
    for title in ("Home", "Templates", "Payments", "Trends", "Builds", "Workflows", "Events", "Releases"):
        if only and title not in only:
            continue
        label = f"open {title}"
        results.append((label, await worst_gap(label, lambda title=title: window.show_panel(title))))
        panel = window.panels.get(title)
        edit = getattr(panel, "search_edit", None) or getattr(panel, "search", None)
        if title in searches and edit is not None and hasattr(edit, "setText"):
            label = f"type in {title} search"
            results.append((label, await worst_gap(label, typing(edit, searches[title]))))
            edit.setText("")
            await asyncio.sleep(1.0)
        table = getattr(panel, "table", None)
        if table is not None and hasattr(table, "selectRow"):
            label = f"click rows in {title}"
            results.append((label, await worst_gap(label, lambda table=table: [table.selectRow(r) for r in (0, 1, 2)])))
        if title == "Payments":
            label = "sync 10,000 Stripe objects"
            results.append((label, await worst_gap(label, lambda panel=panel: sync(panel))))
    for action, gap in results:
        row(f"GUI stall: {action}", gap, idle, "ms", "< 50 ms", gap < 50)
    await asyncio.sleep(GIVE_BACK_AFTER_MS / 1000 + 1.0)  # idle: the runtime has handed the free heap back
    rss = rss_kb()
    where = parts().line()
    # before the walk over the models' rows: its own bookkeeping, freed, left ~3 MB of free heap in RAM that this
    # line then counted as the window's (a trim here returns nothing: the idle give-back had handed it all back)
    still_resident = still_resident_free_heap()
    shown = shown_data_bytes(window) // 1024
    print(f"  {where}; the models' rows and the pixmaps shown: {shown / 1024:.1f} MB", flush=True)
    print(f"  {still_resident}", flush=True)
    row("RSS, every panel open", rss / 1024, bare / 1024, "MB", f"<= 2x bare + data shown ({shown / 1024:.1f} MB)",
        rss <= 2 * bare + shown)
    row("RSS, every panel open, beside the libraries' floor (report)", rss / 1024, floor / 1024, "MB",
        "(report: bare window + QtCharts, sqlalchemy, httpx, stripe, keyring, qasync imported)", True)
    names = sorted(sys.modules)
    libraries = modules_alone_kb([name for name in names if name.split(".")[0] not in OUR_PACKAGES])
    loaded = modules_alone_kb(names)
    row("floor + every library module the window loaded, imported (report)", libraries / 1024, floor / 1024, "MB",
        "(report: the libraries' whole share, nothing of ours)", True)
    row("+ every module of ours it loaded, imported, nothing built (report)", loaded / 1024, libraries / 1024, "MB",
        f"(report: our code {(loaded - libraries) / 1024:.1f} MB; the window holds {(rss - loaded) / 1024:.1f} MB "
        "beyond it)", True)
    print(load())
    heart.stop()
    window.close()
    services.close()


if __name__ == "__main__":
    main()
