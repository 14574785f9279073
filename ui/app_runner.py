"""Start the GUI: QApplication + MainWindow on a qasync event loop.

The window is shown first; the service layer (SQLAlchemy, migrations, every area) is imported
on a worker thread meanwhile and attached on the GUI thread when ready, so the window appears
at once and never freezes while the app loads.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

import app as core
from services.config import AppConfig
from ui.background import run_in_background
from ui.icons import app_icon
from ui.main_window import MainWindow
from ui.single_instance import SingleInstance
from ui.theme import apply_theme

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager
    from services.events.other_writers import OtherWriters

HEAVY_MODULES = ("services.bootstrap",)


def ui_settings(data_dir: Path) -> QSettings:
    """Window state lives beside the data, so each data dir (and each test) has its own."""
    return QSettings(str(data_dir / "ui.ini"), QSettings.Format.IniFormat)


def create_window(services: ServiceManager, *, first_run: bool = False) -> MainWindow:
    """A window with its services attached at once (tests, and anything that has services already)."""
    window = MainWindow(ui_settings(services.config.data_dir), services.config.data_dir, first_run=first_run)
    window.attach(services)
    return window


def bring_to_front(window: MainWindow) -> None:
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


def watch_other_writers(services: ServiceManager, parent: QObject) -> OtherWriters:
    """Publish here what the CLI (or any other process) commits while this GUI runs."""
    from services.events.other_writers import OtherWriters  # with the services, off the start-up path

    def stale() -> None:  # the services' cached reads predate what the other process wrote
        for service in services.services():
            service.invalidate()

    watcher = OtherWriters.for_store(services.config, services.bus, parent=parent, before_publish=stale)
    watcher.start()
    services.on_close(watcher.stop)
    return watcher


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


def run_gui(data_dir: str | None = None, *, quit_after: float | None = None, database: str | None = None) -> int:
    from services.files import owner_only_files

    owner_only_files()
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

    window = MainWindow(ui_settings(config.data_dir), config.data_dir, first_run=first_run)
    window.show()
    qapp.processEvents()  # expose and paint the window before anything slower happens
    report = os.environ.get("TRENDFORGE_STARTUP_REPORT")

    def to_front() -> None:
        bring_to_front(window)
        if report:
            with Path(report).open("a") as fh:
                fh.write(f"activated {time.time():.6f}\n")

    guard.activation_requested.connect(to_front)
    if report:
        Path(report).write_text(f"shown {time.time():.6f}\n")

    import asyncio

    import qasync  # after PySide6, so qasync binds to it

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    holder: dict[str, ServiceManager] = {}

    def attach(_: object) -> None:
        from app.errors import TrendForgeError
        from services.bootstrap import bootstrap

        try:
            services = bootstrap(config)
        except (TrendForgeError, OSError) as exc:
            window.show_startup_error(f"{exc}\n\nData directory: {config.data_dir}")
            if report:
                with Path(report).open("a") as fh:
                    fh.write(f"error {exc}\n")
            return
        holder["services"] = services
        services.start_schedules()
        apply_theme(qapp, str(services.settings.get("ui.theme", "system")))
        window.attach(services)
        watch_other_writers(services, window)
        if report:
            with Path(report).open("a") as fh:
                fh.write(f"ready {time.time():.6f}\n")

    def import_failed(exc: Exception) -> None:
        window.show_startup_error(f"{type(exc).__name__}: {exc}")

    # start loading once the window is on screen, so the loader does not compete with showing it
    QTimer.singleShot(0, lambda: run_in_background(_import_heavy, attach, import_failed, window))
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), qapp.closeAllWindows)  # the window and any dialog it shows

    closed = asyncio.Event()
    qapp.aboutToQuit.connect(closed.set)
    qapp.lastWindowClosed.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        QThreadPool.globalInstance().waitForDone(5000)
        if "services" in holder:
            holder["services"].close()
        guard.release()
    return 0
