"""The main window: left navigation, one panel per area, status bar health, tray, settings."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from app.home.model import ItemRef
from app.remedies import Remedy
from services.runtime import job_runtime
from ui.about import show_about
from ui.background import run_in_background
from ui.colors import Tone, tone_span
from ui.icons import app_icon, themed_icon
from ui.remedies import RemedyButton, perform
from ui.theme import apply_theme
from ui.widgets.plain_text import escape, message_box, tooltip

if TYPE_CHECKING:
    from services.bootstrap import HealthReport, Services
    from ui.notifications import Notifier

PanelFactory = Callable[["Services"], QWidget]
log = logging.getLogger(__name__)

THEME_KEY = "window/theme"


FIRST_SIZE = QSize(1200, 760)


def first_size() -> QSize:
    """The window's size before any is remembered: 1200x760, or the screen's free area where that is smaller
    (a 1200-wide window on a 960x600 screen hid the panels' right-hand buttons off the screen)."""
    screen = QGuiApplication.primaryScreen()
    return FIRST_SIZE if screen is None else FIRST_SIZE.boundedTo(screen.availableGeometry().size())


def remembered_theme(settings: QSettings) -> str:
    """The theme last shown with this data dir, applied before the services load (its setting is in the database)."""
    return str(settings.value(THEME_KEY, "system"))


@runtime_checkable
class SelectsItem(Protocol):
    """A panel that can show one of its items selected (what Home's rows and links open)."""

    def select_item(self, item_id: str) -> None: ...


@dataclass(frozen=True)
class PanelSpec:
    """A panel, named by the module and callable that build it, imported on first use.

    The window itself imports no service code, so it can be shown while the services load.
    ``service``: the area (a property of the services) the panel reads first, which start-up
    builds before the window attaches the services when this panel is the one shown; none for
    a panel that reads only the core (the event log).
    ``warm``: modules its first open imports besides its own (what its area loads lazily, e.g. the
    builds runner), imported with it when the window warms the panels.
    """

    title: str
    icon: QStyle.StandardPixmap
    factory_path: str
    service: str | None
    warm: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        return self.factory_path.partition(":")[0]

    @property
    def modules(self) -> tuple[str, ...]:
        """Every module a first open of this panel imports: its own, then ``warm``."""
        return (self.module, *self.warm)

    def factory(self) -> PanelFactory:
        return getattr(importlib.import_module(self.module), self.factory_path.partition(":")[2])  # type: ignore[no-any-return]


def import_modules(names: Sequence[str]) -> None:
    """Import ``names`` in order (on a worker: a module imported there is not imported again on the GUI thread)."""
    for name in names:
        importlib.import_module(name)


def panel_specs() -> list[PanelSpec]:
    sp = QStyle.StandardPixmap
    return [
        PanelSpec("Home", sp.SP_DirHomeIcon, "ui.panels.home_panel:create_panel", "home"),
        PanelSpec("Templates", sp.SP_FileDialogDetailedView, "ui.panels.templates_panel:create_panel", "templates"),
        PanelSpec("Payments", sp.SP_DialogApplyButton, "ui.panels.payments_panel:create_panel", "payments"),
        PanelSpec("Trends", sp.SP_ArrowUp, "ui.panels.trends_panel:create_panel", "trends"),
        PanelSpec("Builds", sp.SP_DriveHDIcon, "ui.panels.builds_panel:create_panel", "builds",
                  warm=("services.builds.runner",)),
        PanelSpec("Workflows", sp.SP_BrowserReload, "ui.panels.workflows_panel:create_panel", "workflows"),
        PanelSpec("Events", sp.SP_FileDialogInfoView, "ui.panels.events_panel:EventsPanel", None),
        PanelSpec("Releases", sp.SP_ArrowForward, "ui.panels.releases_panel:create_panel", "releases"),
    ]


class MainWindow(QMainWindow):
    panel_changed = Signal(str)

    services_attached = Signal()
    panels_warmed = Signal()  # every panel's modules are imported (see warm_panels)

    def __init__(self, settings: QSettings, data_dir: Path, *, first_run: bool = False,
                 theme_shown: str | None = None) -> None:
        """``theme_shown``: the theme the application already shows (start-up applies the remembered one first)."""
        super().__init__()
        self._theme = theme_shown
        self._services: Services | None = None
        self.notifier: Notifier | None = None
        self.quick_switcher: QWidget | None = None
        self.help_dialog: QWidget | None = None
        self.data_dir = data_dir
        self.qsettings = settings
        self.setWindowTitle("TrendForge")
        self.setWindowIcon(app_icon())
        self.resize(first_size())
        self.specs = panel_specs()
        self.panels: dict[str, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(150)  # with the Builds form, the window still shrinks to 960 px
        self.nav.setSpacing(2)
        # the names fit; the item spacing alone made a horizontal scroll bar appear under them
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for spec in self.specs:
            item = QListWidgetItem(spec.title)
            item.setSizeHint(QSize(150, 34))
            self.nav.addItem(item)
        self._paint_nav_icons()
        self.stack = QStackedWidget()
        for _spec in self.specs:
            holder = QWidget()
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            loading = QLabel("Loading…")
            loading.setObjectName("loadingLabel")
            loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            hl.addWidget(loading)
            self.stack.addWidget(holder)

        self.banner = QWidget()
        self.banner.setObjectName("firstRunBanner")
        self.banner.setAutoFillBackground(True)
        self.banner.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        bl = QHBoxLayout(self.banner)
        self.banner_text = QLabel(textFormat=Qt.TextFormat.RichText)  # our markup; the path is escaped
        self.banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("Dismiss")
        close.clicked.connect(self.banner.hide)
        bl.addWidget(self.banner_text, 1)
        bl.addWidget(close)
        self.banner.setVisible(first_run)
        if first_run:
            self.banner_text.setText(
                f"Welcome to TrendForge. Your data directory was created at <b>{escape(data_dir)}</b>. "
                "Add provider credentials in Settings (Ctrl+,)."
            )

        body = QWidget()
        bodyl = QHBoxLayout(body)
        bodyl.setContentsMargins(0, 0, 0, 0)
        bodyl.setSpacing(0)
        bodyl.addWidget(self.nav)
        bodyl.addWidget(self.stack, 1)
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        cl.addWidget(self.banner)
        cl.addWidget(body, 1)
        self.setCentralWidget(central)

        self.health_label = QLabel("health: …", textFormat=Qt.TextFormat.RichText)  # foreign text is escaped
        self.health_label.setObjectName("healthLabel")
        self.statusBar().addPermanentWidget(self.health_label)
        self.remedy_button = RemedyButton(self)  # the last error's fix, when it names one
        self.remedy_button.chosen.connect(self._on_remedy_button_chosen)
        self.statusBar().insertPermanentWidget(0, self.remedy_button)  # not covered by the message
        self.statusBar().messageChanged.connect(self._on_status_bar_message_changed)

        self._build_menus()
        self.tray = self._build_tray()

        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._health_timer = QTimer(self, interval=30_000)
        self._health_timer.timeout.connect(self.refresh_health)

        self._restore_state()
        if first_run:
            self.notify("TrendForge", f"Data directory created at {data_dir}")

    # -- services ---------------------------------------------------------------------------
    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the services are still loading")
        return self._services

    def attach(self, services: Services, *, check_health_now: bool = True) -> None:
        """Connect the loaded services: panels can now be built; health is polled; notifications flow.

        ``check_health_now=False``: the first health read waits for the caller's :meth:`refresh_health`
        (start-up asks once the first panel is filled: run beside that panel's construction and first
        paint, it made the GUI thread wait for the GIL 50-250 ms)."""
        self._services = services
        # once idle, the store's page caches are released too (until the services close)
        services.on_close(job_runtime().add_idle_release(services.release_idle_caches))
        from ui.notifications import Notifier

        self.notifier = Notifier(services, self.tray, lambda text: self.statusBar().showMessage(text, 10_000), self)
        self.notifier.activated.connect(self._on_notifier_activated)
        self.notifier.start()
        self._health_timer.start()
        if check_health_now:
            self.refresh_health()
        self._on_nav_current_row_changed(self.nav.currentRow())
        self.services_attached.emit()

    def show_startup_error(self, message: str) -> None:
        self.health_label.setText(f"{tone_span(Tone.ERROR, '●')} not started")
        for i in range(self.stack.count()):
            holder = self.stack.widget(i)
            label = holder.findChild(QLabel, "loadingLabel") if holder is not None else None
            if label is not None:
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setText(f"TrendForge could not open its data.\n\n{message}")
        self.startup_dialog = message_box(self, QMessageBox.Icon.Critical, "TrendForge could not open its data", message)
        self.startup_dialog.setStandardButtons(QMessageBox.StandardButton.Close)
        self.startup_dialog.open()  # window-modal and non-blocking: the event loop keeps running

    # -- menus and shortcuts --------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.settings_action = QAction("&Settings…", self, shortcut=QKeySequence(QKeySequence.StandardKey.Preferences))
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view = self.menuBar().addMenu("&View")
        for i, spec in enumerate(self.specs):
            action = QAction(spec.title, self, shortcut=QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            view.addAction(action)
        view.addSeparator()
        self.go_to_action = QAction("&Go to…", self, shortcut=QKeySequence("Ctrl+K"))
        self.go_to_action.triggered.connect(self.open_quick_switcher)
        view.addAction(self.go_to_action)
        refresh = QAction("&Refresh health", self, shortcut=QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.refresh_health)
        view.addAction(refresh)

        help_menu = self.menuBar().addMenu("&Help")
        self.help_action = QAction("TrendForge &help", self, shortcut=QKeySequence(QKeySequence.StandardKey.HelpContents))
        if self.help_action.shortcut().isEmpty():
            self.help_action.setShortcut(QKeySequence("F1"))
        self.help_action.triggered.connect(lambda: self.open_help())
        shortcuts = QAction("&Keyboard shortcuts", self)
        shortcuts.triggered.connect(lambda: self.open_help("Keyboard shortcuts"))
        about = QAction("&About TrendForge", self)
        about.triggered.connect(lambda: show_about(self))
        for action in (self.help_action, shortcuts):
            help_menu.addAction(action)
        help_menu.addSeparator()
        help_menu.addAction(about)
        self.help_menu = help_menu

    def _build_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(app_icon(), self)
        menu = QMenu(self)
        menu.addAction("Show TrendForge", self.showNormal)
        menu.addAction("Quit", self.close)
        tray.setContextMenu(menu)
        tray.setToolTip("TrendForge")
        tray.show()
        return tray

    def notify(self, title: str, message: str) -> None:
        """A panel's news about what its user just did: the status bar.

        Desktop notifications (builds, runs, syncs, payments, releases) come from the notifier.
        """
        self.statusBar().showMessage(f"{title}: {message}", 10_000)

    def _on_notifier_activated(self, ref: ItemRef) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.open_item(ref)

    # -- panels ---------------------------------------------------------------------------
    def panel(self, title: str) -> QWidget:
        """The panel named ``title``, created on first use (once the services are attached)."""
        if title not in self.panels:
            index = [s.title for s in self.specs].index(title)
            widget = self.specs[index].factory()(self.services)
            status = getattr(widget, "status_message", None)
            if status is not None:
                status.connect(lambda text: self.statusBar().showMessage(text, 8000))
            remedies = getattr(widget, "remedy_offered", None)
            if remedies is not None:
                remedies.connect(self.remedy_button.offer)
            notify = getattr(widget, "notify_requested", None)
            if notify is not None:
                notify.connect(self.notify)
            opener = getattr(widget, "open_requested", None)
            if opener is not None:
                opener.connect(self.open_item)
            wants_settings = getattr(widget, "settings_requested", None)
            if wants_settings is not None:
                wants_settings.connect(self.open_settings)
            holder = self.stack.widget(index)
            layout = holder.layout() if holder is not None else None
            assert layout is not None and holder is not None
            loading = holder.findChild(QLabel, "loadingLabel")
            if loading is not None:
                loading.hide()
            layout.addWidget(widget)
            self.panels[title] = widget
        return self.panels[title]

    def warm_panels(self) -> None:
        """Import the modules of every panel not built yet, in one job on a worker, so that a first
        open builds its widgets without importing them on the GUI thread (a cold
        import of the Builds panel was ~100 ms there). Start-up calls it once the first panel is
        filled and the other areas are built; ``panels_warmed`` follows, also when an import
        failed (that panel's open raises it again, where it is shown).
        """
        names = [m for spec in self.specs if spec.title not in self.panels for m in spec.modules]

        def failed(exc: Exception) -> None:
            log.warning("importing the panels ahead of their first open failed: %s", exc)
            self.panels_warmed.emit()

        run_in_background(lambda: import_modules(names), lambda _: self.panels_warmed.emit(), failed, self)

    def show_panel(self, title: str) -> QWidget:
        self.nav.setCurrentRow([s.title for s in self.specs].index(title))
        return self.panel(title)

    def open_item(self, ref: ItemRef) -> QWidget:
        """Show the panel of ``ref``'s area with that item selected (the panel only, for an empty id)."""
        widget = self.show_panel(ref.area.value)
        if ref.item_id and isinstance(widget, SelectsItem):
            widget.select_item(ref.item_id)
        elif not ref.item_id:  # keyboard users go on in the panel's first field
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            widget.focusNextChild()
        return widget

    def _on_remedy_button_chosen(self, remedy: Remedy) -> None:
        perform(self, remedy)

    def _on_status_bar_message_changed(self, _text: str) -> None:
        # a remedy belongs to the message shown with it (panels offer it just after their message):
        # when that message times out or another replaces it, its remedy goes too
        self.remedy_button.offer(None)

    def open_help(self, topic: str | None = None) -> None:
        from ui.help_dialog import HelpDialog

        actions = [a for menu in self.menuBar().findChildren(QMenu) for a in menu.actions()]
        dialog = HelpDialog(actions, self, topic=topic)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.help_dialog = dialog
        dialog.open()

    def open_quick_switcher(self) -> None:
        if self._services is None:
            return
        from ui.quick_switcher import QuickSwitcher

        dialog = QuickSwitcher(self.services, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.open_item)
        self.quick_switcher = dialog
        dialog.open()
        dialog.edit.setFocus()

    def current_spec(self) -> PanelSpec:
        return self.specs[max(0, self.nav.currentRow())]

    def current_title(self) -> str:
        return self.current_spec().title

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        title = self.specs[row].title
        if self._services is not None:
            self.panel(title)
        self.stack.setCurrentIndex(row)
        self.panel_changed.emit(title)

    # -- health -----------------------------------------------------------------------------
    def refresh_health(self) -> None:
        run_in_background(self.services.health, self._show_health, self._health_failed, self)

    def _show_health(self, report: HealthReport) -> None:
        status = report["status"]
        bad = [f"{s['name']}: {s['detail'] or s['state']}" for s in report["services"] if s["state"] != "ok"]
        tone = {"ok": Tone.OK, "degraded": Tone.WARNING}.get(status, Tone.ERROR)
        self.health_label.setText(f"{tone_span(tone, '●')} {escape(status)}")
        self.health_label.setToolTip(tooltip("\n".join(bad)) if bad else "all services healthy")

    def _health_failed(self, exc: Exception) -> None:
        self.health_label.setText(f"{tone_span(Tone.ERROR, '●')} health check failed: {escape(exc)}")

    # -- settings ---------------------------------------------------------------------------
    def open_settings(self) -> None:
        if self._services is None:
            return
        from ui.settings_dialog import SettingsDialog

        if SettingsDialog.ask(self.services, self):
            self.use_saved_theme()
            self.statusBar().showMessage("Settings saved", 5000)

    def use_saved_theme(self) -> None:
        """Show the theme the settings name, unless it is the one shown; remember it for the next start."""
        theme = str(self.services.settings.get("ui.theme", "system"))
        app = QApplication.instance()
        if theme == self._theme or not isinstance(app, QApplication):
            return
        apply_theme(app, theme)
        self._theme = theme
        self.qsettings.setValue(THEME_KEY, theme)

    # -- state --------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.qsettings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.qsettings.value("window/state")
        if state is not None:
            self.restoreState(state)
        title = str(self.qsettings.value("window/panel", "Home"))
        titles = [s.title for s in self.specs]
        self.nav.setCurrentRow(titles.index(title) if title in titles else 0)

    def save_state(self) -> None:
        self.qsettings.setValue("window/geometry", self.saveGeometry())
        self.qsettings.setValue("window/state", self.saveState())
        self.qsettings.setValue("window/panel", self.current_title())
        self.qsettings.sync()

    def _paint_nav_icons(self) -> None:
        for row, spec in enumerate(self.specs):
            item = self.nav.item(row)
            if item is not None:
                item.setIcon(themed_icon(self.style(), spec.icon, self.palette(), self.nav.iconSize()))

    def changeEvent(self, event: QEvent) -> None:
        # a theme switch sets the application palette: glyphs painted in the old text colour are painted again
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "nav"):
            self._paint_nav_icons()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self._health_timer.stop()
        if self.notifier is not None:
            self.notifier.close()
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)
