"""GUI start-up: the first panel is filled before the areas it does not read are built, and the
GUI thread imports no service code while the app loads (it all runs on a worker); no garbage
collection runs and the GUI thread starts no thread while it loads (each held the GUI thread).

The GUI runs as a real process (offscreen) with an import spy on ``sys.meta_path`` that records
each module's first import, the thread it ran on and when, a ``gc.callbacks`` hook that records
each collection, and a wrapper of ``threading.Thread.start`` that records each thread started
from the GUI thread; the start-up report gives the marks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

SPY = """
import gc, importlib.abc, json, sys, threading, time
main_thread = threading.main_thread()
seen = []
collections = []
started_by_gui = []
gc.callbacks.append(lambda phase, info: collections.append(time.time()) if phase == "start" else None)
_start = threading.Thread.start

def start(thread):
    if threading.current_thread() is main_thread:
        started_by_gui.append((thread.name, time.time()))
    _start(thread)

threading.Thread.start = start

class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        seen.append((name, threading.current_thread() is main_thread, time.time()))
        return None

sys.meta_path.insert(0, Spy())
import main
try:
    main.main(sys.argv[2:])
finally:
    with open(sys.argv[1], "w") as fh:
        json.dump({"imports": seen, "collections": collections, "threads": started_by_gui,
                   "gc_enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}, fh)
"""


class Imports:
    def __init__(self, spied: dict[str, Any], marks: dict[str, float]) -> None:
        self.seen: list[tuple[str, bool, float]] = [(n, g, t) for n, g, t in spied["imports"]]
        self.collections: list[float] = spied["collections"]
        self.threads: list[tuple[str, float]] = [(n, t) for n, t in spied["threads"]]
        self.gc_enabled: bool = spied["gc_enabled"]
        self.frozen: int = spied["frozen"]
        self.marks = marks

    def between(self, times: list[float], first: str, last: str) -> list[float]:
        return [t for t in times if self.marks[first] <= t <= self.marks[last]]

    def when(self, module: str) -> float:
        return next(t for name, _, t in self.seen if name == module)

    def before(self, mark: str) -> set[str]:
        return {name for name, _, t in self.seen if t < self.marks[mark]}

    def on_gui_thread_after(self, mark: str) -> list[str]:
        return [name for name, gui, t in self.seen if gui and t >= self.marks[mark]]


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Imports:
    """One start-up on Home, from the window shown to every area built (the app quits then)."""
    tmp = tmp_path_factory.mktemp("gui-start")
    report, spied = tmp / "marks.txt", tmp / "imports.json"
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    env.update(QT_QPA_PLATFORM="offscreen", TRENDFORGE_STARTUP_REPORT=str(report), TRENDFORGE_QUIT_WHEN_FILLED="1")
    subprocess.run([sys.executable, "-c", SPY, str(spied), "--data-dir", str(tmp / "data"), "--quit-after", "90"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    marks = {line.split()[0]: float(line.split()[1]) for line in report.read_text().splitlines()}
    assert {"shown", "ready", "filled", "complete"} <= marks.keys(), marks
    return Imports(json.loads(spied.read_text()), marks)


def test_home_is_filled_before_the_releases_area_is_imported(started: Imports) -> None:
    assert started.when("services.home.service") < started.marks["filled"] < started.when("services.releases.service")


def test_every_area_is_built_before_start_up_completes(started: Imports) -> None:
    assert started.when("services.releases.service") < started.marks["complete"]


def test_the_gui_thread_imports_no_service_or_storage_code_while_the_app_loads(started: Imports) -> None:
    heavy = [m for m in started.on_gui_thread_after("shown") if m.split(".")[0] in ("services", "sqlalchemy", "httpx")]
    assert heavy == []


def test_home_is_filled_without_loading_the_http_or_imaging_libraries(started: Imports) -> None:
    """Building the areas Home reads loads neither: they come with the first request, build or image."""
    assert {m.split(".")[0] for m in started.before("filled")} & {"httpx", "PIL", "google"} == set()


def test_the_window_is_shown_before_sqlalchemy_is_imported_and_that_on_a_worker(started: Imports) -> None:
    """The window's own modules import no storage code: SQLAlchemy (0.5-0.8 s) loads behind the shown window."""
    assert started.when("sqlalchemy") > started.marks["shown"]
    assert "sqlalchemy" not in started.on_gui_thread_after("shown")


def test_no_garbage_collection_runs_while_the_app_starts(started: Imports) -> None:
    """A collection holds the GIL throughout (65-130 ms for a full one at start-up), the GUI thread waiting."""
    assert started.between(started.collections, "shown", "complete") == []


def test_garbage_collection_resumes_once_start_up_is_complete_with_what_it_built_frozen(started: Imports) -> None:
    assert started.gc_enabled
    assert started.frozen > 10_000  # the modules, classes and services start-up made: never walked again


def test_the_gui_thread_starts_no_thread_once_the_window_is_shown(started: Imports) -> None:
    """The pool's threads are started before: a submit that starts one waits for it to get the GIL."""
    assert [name for name, t in started.threads if t >= started.marks["shown"]] == []


def test_every_panel_module_is_imported_on_a_worker_before_start_up_completes(started: Imports) -> None:
    """A first open of any panel then builds its widgets without importing its code on the GUI thread."""
    from ui.main_window import panel_specs

    wanted = {m for spec in panel_specs() for m in spec.modules}
    imported = {name: gui for name, gui, t in started.seen if name in wanted and t < started.marks["complete"]}
    assert imported.keys() == wanted
    assert [name for name, gui in imported.items() if gui] == []


def _deferred_imports(*, first_start: bool = False) -> set[str]:
    """What the areas import on first use; ``first_start``: without what a first start uses (it stores the
    built-in workflow definitions, checked: tests/integration/workflows/test_builtin_sync_imports.py starts again)."""
    from services.builds import service as builds
    from services.payments import service as payments
    from services.templates import service as templates
    from services.workflows import service as workflows

    later = {*builds.LATER_IMPORTS, *payments.LATER_IMPORTS, *templates.LATER_IMPORTS}
    return later if first_start else later | set(workflows.LATER_IMPORTS)


def test_home_is_filled_without_what_the_areas_import_on_first_use(started: Imports) -> None:
    """Release rules, version codes, build stats, the providers' requests, store listings: Home reads none of them,
    so they are imported by what uses them (each an import of 2-12 ms on the worker before Home was filled)."""
    assert _deferred_imports(first_start=True) & started.before("filled") == set()


def test_what_the_areas_import_on_first_use_is_imported_on_a_worker_before_start_up_completes(started: Imports) -> None:
    imported = {name: gui for name, gui, t in started.seen if name in _deferred_imports() and t < started.marks["complete"]}
    assert imported.keys() == _deferred_imports()
    assert [name for name, gui in imported.items() if gui] == []


def test_home_is_filled_without_loading_qt_charts(started: Imports) -> None:
    """Home draws no chart: Qt Charts (its module and library, ~4 ms) loads with the first panel that does."""
    assert "PySide6.QtCharts" not in started.before("filled")
