"""Start the GUI: QApplication + MainWindow on a qasync event loop.

The window is shown first. Off the GUI thread: the service layer is imported and the database
opened and migrated; then (the bus and core are built on the GUI thread, which owns them) the
area the shown panel reads first is imported and built (Home's are the five it summarises) and
its start-up recovery run; then the services are attached on the GUI thread, and once that
panel's reads have settled the other areas are built off the GUI thread too. The window
appears at once and never freezes while the app loads.

What made it freeze, and keeps it from freezing (tests/e2e/foundation/test_gui_startup_imports.py):
the GUI thread waits whenever another thread holds the GIL, so start-up keeps it from being held
long and keeps the GUI thread's own steps short. No garbage collection runs until start-up is
complete (ui/startup_gc.py); the pool's threads are started before the window shows (a submit
that starts one waits for it); the window's modules import no storage code (SQLAlchemy loads on
the worker); the keyring's backend is chosen on the worker; the status bar's first health read
waits until the first panel is filled, so only that panel's reads run beside its construction.

With ``TRENDFORGE_STARTUP_REPORT`` set, the marks ``shown``, ``ready`` (services attached),
``filled`` (then every background read settled) and ``complete`` (then every other area built)
go to that file with ``stall``: the longest gap of a 5 ms GUI-thread heartbeat from shown to
complete (bench/gui_startup.py reads them).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

import app as core
from services import heap
from services.config import AppConfig
from services.runtime import job_runtime
from ui.background import run_in_background, when_settled
from ui.icons import app_icon
from ui.main_window import MainWindow, PanelSpec, remembered_theme
from ui.single_instance import SingleInstance
from ui.startup_gc import pause as pause_garbage_collection
from ui.startup_gc import resume as resume_garbage_collection
from ui.theme import apply_theme

if TYPE_CHECKING:
    from services.bootstrap import OpenedStore, Services
    from services.events.other_writers import OtherWriters

# imported off the GUI thread before the core is built on it (the bus is a QObject of the GUI thread,
# but its module is imported where the rest of the service layer is)
HEAVY_MODULES = ("services.bootstrap", "services.events.bus")
GUI_SWITCH_INTERVAL = 0.001  # seconds: how long a thread holding the GIL keeps it while another waits
log = logging.getLogger(__name__)


def ui_settings(data_dir: Path) -> QSettings:
    """Window state lives beside the data, so each data dir (and each test) has its own."""
    return QSettings(str(data_dir / "ui.ini"), QSettings.Format.IniFormat)


def create_window(services: Services, *, first_run: bool = False) -> MainWindow:
    """A window with its services attached at once (tests, and anything that has services already)."""
    window = MainWindow(ui_settings(services.config.data_dir), services.config.data_dir, first_run=first_run)
    window.attach(services)
    return window


def bring_to_front(window: MainWindow) -> None:
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


def watch_other_writers(services: Services, parent: QObject) -> OtherWriters:
    """Publish here what the CLI (or any other process) commits while this GUI runs."""
    from services.events.other_writers import OtherWriters  # with the services, off the start-up path

    def stale() -> None:  # the services' cached reads predate what the other process wrote
        for service in services.built_services():  # one not built yet has nothing cached
            service.invalidate()

    watcher = OtherWriters.of(services.config, services.bus)
    watcher.add_before_publish(stale)
    watcher.hold()
    services.on_close(watcher.release)
    return watcher


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


class _StartupReport:
    """The start-up marks of one run, and a GUI-thread heartbeat from the window shown to complete."""

    def __init__(self, path: Path, parent: QObject) -> None:
        self._path = path
        self._beats: list[float] = []
        self._heartbeat = QTimer(parent)
        self._heartbeat.setInterval(5)
        self._heartbeat.timeout.connect(lambda: self._beats.append(time.monotonic()))

    def mark(self, name: str, *, first: bool = False) -> None:
        with self._path.open("w" if first else "a") as fh:
            fh.write(f"{name} {time.time():.6f}\n")

    def shown(self) -> None:
        self.mark("shown", first=True)
        self._beats.append(time.monotonic())
        self._heartbeat.start()

    def ready(self) -> None:
        self.mark("ready")

    def complete(self) -> None:
        """Every area built and every read settled: the worst stall since shown is written."""
        self._heartbeat.stop()
        self._beats.append(time.monotonic())
        self.mark("complete")
        gaps = [(b - a, a) for a, b in zip(self._beats, self._beats[1:], strict=False)]
        worst, began = max(gaps, default=(0.0, time.monotonic()))
        since = time.time() - (time.monotonic() - began)  # the gap's start, on the marks' clock
        with self._path.open("a") as fh:
            fh.write(f"stall {worst:.6f} {since:.6f}\n")
        if os.environ.get("TRENDFORGE_QUIT_WHEN_FILLED"):
            QTimer.singleShot(0, QApplication.closeAllWindows)  # a benchmark run ends here


def run_gui(data_dir: str | None = None, *, quit_after: float | None = None, database: str | None = None) -> int:
    from services.files import owner_only_files

    owner_only_files()
    pause_garbage_collection()  # main() paused it before the GUI's imports already; until start-up is complete
    # The GUI thread waits for the GIL whenever a worker runs Python (the imports at start-up, the
    # reads after it), and each return from Qt to Python waits again: with the default 5 ms switch
    # interval a 5 ms heartbeat beside a busy worker saw 60 ms gaps, with 1 ms about 20 ms.
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    heap.limit_arenas()  # before the job pool's threads start (services/heap.py)
    if quit_after is None and os.environ.get("TRENDFORGE_QUIT_AFTER"):
        quit_after = float(os.environ["TRENDFORGE_QUIT_AFTER"])
    qapp = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("TrendForge")
    qapp.setOrganizationName("TrendForge")
    qapp.setApplicationVersion(core.__version__)
    qapp.setWindowIcon(app_icon())
    qapp.setDesktopFileName("trendforge")

    config = AppConfig.from_env(data_dir, database=database)
    guard = SingleInstance(config.data_dir)
    try:
        owner = guard.acquire()
    except OSError:
        owner = True  # an unusable data dir: bootstrap says why, in the window
    if not owner:
        if guard.activate_running():
            sys.stderr.write(f"TrendForge is already open on {config.data_dir}; its window was brought to the front\n")
            return 0
        sys.stderr.write(f"TrendForge: {config.data_dir} is in use by another TrendForge that does not answer; "
                         "close it and try again\n")
        return 1
    first_run = not config.shared_store and not config.db_path.exists()  # bootstrap creates the data dir (or says why it cannot)
    if first_run:
        sys.stderr.write(f"TrendForge: created data directory {config.data_dir}\n")

    settings = ui_settings(config.data_dir)
    theme = remembered_theme(settings)  # shown from the first paint, not switched to once the services load
    apply_theme(qapp, theme)
    window = MainWindow(settings, config.data_dir, first_run=first_run, theme_shown=theme)
    job_runtime().prestart()  # the pool's threads started while nothing competes for the GIL: no later submit waits for one
    window.show()
    qapp.processEvents()  # expose and paint the window before anything slower happens
    report_path = os.environ.get("TRENDFORGE_STARTUP_REPORT")
    report = _StartupReport(Path(report_path), window) if report_path else None

    def to_front() -> None:
        bring_to_front(window)
        if report is not None:
            report.mark("activated")

    guard.activation_requested.connect(to_front)
    if report is not None:
        report.shown()

    import asyncio

    import qasync  # after PySide6, so qasync binds to it

    loop = qasync.QEventLoop(qapp)
    job_runtime().lend_to(loop)  # asyncio.to_thread and the panels' background work share one pool
    asyncio.set_event_loop(loop)

    holder: dict[str, Services] = {}

    def cannot_start(exc: Exception) -> None:
        from app.errors import TrendForgeError

        if isinstance(exc, TrendForgeError | OSError):
            window.show_startup_error(f"{exc}\n\nData directory: {config.data_dir}")
        else:
            window.show_startup_error(f"{type(exc).__name__}: {exc}")
        if report is not None:
            report.mark(f"error {exc}")
        resume_garbage_collection()  # start-up ends here

    def open_store() -> OpenedStore:  # off the GUI thread: imports, then the database opened and migrated
        _import_heavy()
        from services.bootstrap import open_opened_store

        return open_opened_store(config)

    def store_opened(store: OpenedStore) -> None:
        from app.errors import TrendForgeError
        from services.bootstrap import build_services

        try:
            services = build_services(config, opened=store)  # the bus and core: QObjects of the GUI thread
        except (TrendForgeError, OSError) as exc:
            cannot_start(exc)
            return
        holder["services"] = services
        first = window.current_spec()
        run_in_background(lambda: start_areas(services, first), lambda _: attach(services), cannot_start, window)

    def start_areas(services: Services, first: PanelSpec) -> None:
        """Off the GUI thread: the area the first panel reads imported, built and recovered (Home's
        are the five it summarises); the modules the window needs to attach them imported (the
        first panel's, the notifier's, the other writers' watch), not their widgets made."""
        from services.bootstrap import Area

        if first.service is not None:
            services.build(Area(first.service))
        services.start()  # every area built later is started when it is built
        # the keyring's backend chosen here (its imports: ~90 ms of CPU), not by the window's first
        # health read, which runs beside the first panel's construction on the GUI thread
        services.settings.health()
        for module in ("ui.notifications", "services.events.other_writers", first.module):
            importlib.import_module(module)

    def attach(services: Services) -> None:
        """On the GUI thread, one step per turn of the event loop (each a stall of its own, not their sum)."""
        steps: list[Callable[[], object]] = [
            services.start_schedules,
            lambda: window.attach(services, check_health_now=False),  # asked once the first panel is filled
            window.use_saved_theme,  # a no-op unless it changed since the last start (e.g. from the CLI)
            lambda: watch_other_writers(services, window),
        ]
        if report is not None:
            steps.append(report.ready)
        steps.append(lambda: when_settled(window, lambda: first_panel_filled(services)))

        def next_step() -> None:
            steps.pop(0)()
            if steps:
                QTimer.singleShot(0, window, next_step)

        next_step()

    def first_panel_filled(services: Services) -> None:
        """The other areas, off the GUI thread, once the first panel has what it shows."""
        if report is not None:
            report.mark("filled")
        window.refresh_health()
        run_in_background(lambda: build_the_rest(services), lambda _: all_built(), area_failed, window)

    def build_the_rest(services: Services) -> None:
        services.build_all()
        services.import_deferred()  # what the areas import on first use: no first click imports it on the GUI thread

    def area_failed(exc: Exception) -> None:  # its panel says so when opened: it is built again there
        log.warning("building the other areas at start-up failed: %s", exc)
        all_built()

    def all_built() -> None:
        window.warm_panels()  # then the panels' modules, so that no first open imports on the GUI thread
        when_settled(window, start_up_complete)

    def start_up_complete() -> None:
        if report is not None:
            report.complete()
        resume_garbage_collection()

    # start loading once the window is on screen, so the loader does not compete with showing it
    QTimer.singleShot(0, lambda: run_in_background(open_store, store_opened, cannot_start, window))
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), qapp.closeAllWindows)  # the window and any dialog it shows

    closed = asyncio.Event()
    qapp.aboutToQuit.connect(closed.set)
    qapp.lastWindowClosed.connect(closed.set)
    async def until_closed() -> None:
        await closed.wait()
        if "services" in holder:
            await holder["services"].stop()  # running builds cancelled and their ends recorded, on the loop

    try:
        with loop:
            loop.run_until_complete(until_closed())
    finally:
        job_runtime().drain(5.0)
        if "services" in holder:
            holder["services"].close()
        guard.release()
    return 0
