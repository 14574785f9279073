"""Home: what needs a maker's attention now, and the first steps until they are done.

Everything shown comes from one ``HomeService.overview()`` call made off the GUI thread; the
panel reloads (debounced) when any event is published. Each row opens its item in its panel
(``open_requested``); the guide's buttons open the dialog that does the step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.events import Event
from app.home.model import (
    Area,
    GuideStep,
    HomeOverview,
    ItemRef,
    RunAttention,
    RunItem,
)
from app.payments.money import format_minor
from app.templates.model import ImportResult
from ui.background import LatestQuery, run_in_background
from ui.panels.home.guide import GuideBox
from ui.panels.home.sparkline import Sparkline
from ui.widgets.plain_text import tooltip

if TYPE_CHECKING:
    from services.bootstrap import Services

REF_ROLE = Qt.ItemDataRole.UserRole
RELOAD_DELAY_MS = 400


class ItemList(QListWidget):
    """A short list whose rows open their item (double-click or Enter)."""

    def __init__(self, name: str, empty: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name)
        self.empty_text = empty
        self.setMinimumHeight(90)

    def show_rows(self, rows: list[tuple[str, ItemRef | None]]) -> None:
        current = self.currentItem()
        keep = current.data(REF_ROLE) if current is not None else None
        self.clear()
        if not rows:
            item = QListWidgetItem(self.empty_text)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)
            return
        for text, ref in rows:
            item = QListWidgetItem(text)
            item.setData(REF_ROLE, ref)
            item.setToolTip(tooltip(text))  # titles from feeds and packages are text, not markup
            self.addItem(item)
            if ref is not None and ref == keep:
                self.setCurrentItem(item)

    def refs(self) -> list[ItemRef]:
        return [r for i in range(self.count()) if isinstance(r := self.item(i).data(REF_ROLE), ItemRef)]

    def row_of(self, ref: ItemRef) -> int:
        return next((i for i in range(self.count()) if self.item(i).data(REF_ROLE) == ref), -1)


def _card(title: str, body: QWidget, *extra: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.addWidget(body)
    for w in extra:
        layout.addWidget(w)
    return box


class HomePanel(QWidget):
    status_message = Signal(str)
    notify_requested = Signal(str, str)
    open_requested = Signal(object)  # ItemRef
    settings_requested = Signal()
    loaded = Signal(object)  # HomeOverview

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.svc = services.home
        self.overview: HomeOverview | None = None
        self.keys_dialog: QWidget | None = None
        self._generation = 0

        self.guide = GuideBox()
        self.guide.step_requested.connect(self._on_guide_step_requested)

        self.revenue = QWidget()
        self.revenue.setObjectName("revenue")
        self.revenue_grid = QGridLayout(self.revenue)
        self.revenue_grid.setColumnStretch(4, 1)
        self.revenue_grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.builds = ItemList("Recent builds", "No builds yet.")
        self.trends = ItemList("Emerging trends", "Nothing emerging; sync the trend sources.")
        self.runs = ItemList("Runs that need you", "No run is waiting or interrupted.")
        self.payments = ItemList("Failed payments", "No failed payments.")
        self.health = ItemList("Health", "Every service and source is healthy.")
        self.resume_button = QPushButton("&Resume")
        self.approve_button = QPushButton("&Approve")
        self.reject_button = QPushButton("Re&ject")
        for b in (self.resume_button, self.approve_button, self.reject_button):
            b.setAccessibleName(f"{b.text()} the selected run")
            b.setEnabled(False)
        run_buttons = QWidget()
        rl = QHBoxLayout(run_buttons)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.resume_button)
        rl.addWidget(self.approve_button)
        rl.addWidget(self.reject_button)
        rl.addStretch(1)

        grid = QGridLayout()
        grid.addWidget(_card("Revenue", self.revenue), 0, 0)
        grid.addWidget(_card("Recent builds", self.builds), 0, 1)
        grid.addWidget(_card("Runs that need you", self.runs, run_buttons), 1, 0)
        grid.addWidget(_card("Emerging trends", self.trends), 1, 1)
        grid.addWidget(_card("Failed payments", self.payments), 2, 0)
        grid.addWidget(_card("Health", self.health), 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        content = QWidget()
        cl = QVBoxLayout(content)
        self.heading = QLabel("<h2>Home</h2>")
        cl.addWidget(self.heading)
        cl.addWidget(self.guide)
        cl.addLayout(grid)
        cl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes straight to the first button (scrolled into view)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        for lst in (self.builds, self.trends, self.runs, self.payments, self.health):
            lst.itemActivated.connect(self._on_list_item_activated)
        self.runs.currentItemChanged.connect(lambda *_: self._update_run_buttons())
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.approve_button.clicked.connect(lambda: self._on_approve_clicked(True))
        self.reject_button.clicked.connect(lambda: self._on_approve_clicked(False))

        self._reload_timer = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        unsubscribe = services.bus.subscribe("*", self._on_bus_published)
        self.destroyed.connect(lambda *_: unsubscribe())
        self._query = LatestQuery(self)
        # the first read starts once Home is painted: run beside the turn that builds, lays out and
        # first paints Home, its worker held the GIL the GUI thread needed (start-up's worst stall)
        self._query.run_soon(*self._overview_read())

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        self._query.run(*self._overview_read())

    def _overview_read(self) -> tuple[Callable[[], HomeOverview], Callable[[HomeOverview], None],
                                      Callable[[Exception], None]]:
        self._generation += 1
        gen = self._generation
        return self.svc.overview, lambda o: self._show(gen, o), self._on_error

    def _on_bus_published(self, _event: Event) -> None:
        self._reload_timer.start()

    def _show(self, gen: int, overview: HomeOverview) -> None:
        if gen != self._generation:
            return
        self.overview = overview
        self.guide.show_items(overview.guide)
        self.guide.setVisible(not overview.guide_done)
        self._show_revenue(overview)
        self.builds.show_rows([
            (f"{b.state:<9} {b.template_id} {b.version_name} ({b.platform})"
             + (f" — {b.error}" if b.error else ""), b.ref) for b in overview.builds])
        self.trends.show_rows([(f"{t.title}  (score {t.score:.0f})", t.ref) for t in overview.trends])
        self.runs.show_rows([(self._run_text(r), r.ref) for r in overview.runs])
        self.payments.show_rows([
            (f"{format_minor(p.amount, p.currency)} via {p.provider} — {p.status}"
             + (f": {p.error}" if p.error else ""), p.ref) for p in overview.failed_payments])
        bad = [h for h in overview.health if not h.ok]
        self.health.show_rows([(f"{h.name}: {h.reason}", h.ref) for h in bad])
        self._update_run_buttons()
        self.loaded.emit(overview)

    @staticmethod
    def _run_text(r: RunItem) -> str:
        where = f" at {r.step}" if r.step else ""
        return f"{r.workflow} {r.id[:8]} — {r.attention.value}{where}"

    def _show_revenue(self, overview: HomeOverview) -> None:
        while self.revenue_grid.count():
            item = self.revenue_grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        if not overview.revenue:
            empty = QLabel("No sales yet this month.")
            self.revenue_grid.addWidget(empty, 0, 0, 1, 5)
            return
        for col, text in enumerate(("Currency", "This week", "This month", "Last 30 days", "")):
            head = QLabel(f"<b>{text}</b>")
            self.revenue_grid.addWidget(head, 0, col)
        for row, r in enumerate(overview.revenue, start=1):
            cur = QLabel(r.currency)
            week = QLabel(format_minor(r.week_net, r.currency))
            month = QLabel(format_minor(r.month_net, r.currency))
            thirty = QLabel(format_minor(sum(r.daily_net), r.currency))
            spark = Sparkline(r.daily_net)
            spark.setObjectName(f"sparkline-{r.currency}")
            spark.setAccessibleName(f"{r.currency} net per day, last 30 days")
            for col, w in enumerate((cur, week, month, thirty, spark)):
                self.revenue_grid.addWidget(w, row, col)

    def revenue_figures(self) -> list[tuple[str, ...]]:
        """What the revenue card shows, row by row (currency, week, month, last 30 days)."""
        out = []
        rows = self.revenue_grid.rowCount()
        for row in range(1, rows):
            cells = [self.revenue_grid.itemAtPosition(row, c) for c in range(4)]
            widgets = [c.widget() if c is not None else None for c in cells]
            if all(isinstance(w, QLabel) for w in widgets):
                out.append(tuple(w.text() for w in widgets if isinstance(w, QLabel)))
        return out

    def _on_error(self, exc: Exception) -> None:
        self.status_message.emit(f"Home: {exc}")

    # -- items --------------------------------------------------------------------------------
    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        ref = item.data(REF_ROLE)
        if isinstance(ref, ItemRef):
            self.open_requested.emit(ref)
        elif item.listWidget() is self.health and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.settings_requested.emit()  # the keyring: its remedy lives in Settings

    def selected_run(self) -> RunItem | None:
        item = self.runs.currentItem()
        ref = item.data(REF_ROLE) if item is not None else None
        if not isinstance(ref, ItemRef) or self.overview is None:
            return None
        return next((r for r in self.overview.runs if r.id == ref.item_id), None)

    def _update_run_buttons(self) -> None:
        run = self.selected_run()
        self.resume_button.setEnabled(run is not None and run.attention is RunAttention.INTERRUPTED)
        waiting = run is not None and run.attention is RunAttention.APPROVAL and run.live
        self.approve_button.setEnabled(waiting)
        self.reject_button.setEnabled(waiting)
        if run is not None and run.attention is RunAttention.APPROVAL and not run.live:
            self.approve_button.setToolTip("This run is held by another TrendForge process; approve it there.")
        else:
            self.approve_button.setToolTip("")

    def _on_resume_clicked(self) -> None:
        run = self.selected_run()
        if run is None:
            return
        try:
            self.services.workflows.resume(run.id)
        except Exception as exc:  # noqa: BLE001 - shown to the person, nothing else to do
            self.status_message.emit(f"Resume failed: {exc}")
            return
        self.status_message.emit(f"resumed {run.workflow} {run.id[:8]}")
        self.reload()

    def _on_approve_clicked(self, approved: bool) -> None:
        run = self.selected_run()
        if run is None:
            return
        try:
            step = self.services.workflows.approve(run.id, approved=approved,
                                                   note="" if approved else "rejected on Home")
        except Exception as exc:  # noqa: BLE001 - shown to the person
            self.status_message.emit(f"Approval failed: {exc}")
            return
        self.status_message.emit(f"{'approved' if approved else 'rejected'} {step}")
        self.reload()

    # -- first-run guide ------------------------------------------------------------------------
    def _on_guide_step_requested(self, step: GuideStep) -> None:
        if step is GuideStep.KEYRING:
            self.reload()
        elif step is GuideStep.SAMPLES:
            self.import_samples()
        elif step is GuideStep.UPLOAD_KEY:
            self.open_keys()
        elif step is GuideStep.KEY_BACKUP:
            self.open_keys(backup=True)
        elif step is GuideStep.CREDENTIAL:
            self.settings_requested.emit()
        elif step in (GuideStep.FIRST_BUILD, GuideStep.FIRST_RELEASE):
            self.open_requested.emit(ItemRef(Area.BUILDS, ""))

    def import_samples(self) -> None:
        button = self.guide.buttons[GuideStep.SAMPLES]
        button.setEnabled(False)

        def done(results: list[ImportResult]) -> None:
            button.setEnabled(True)
            errors = [r.error for r in results if r.error]
            if errors:
                QMessageBox.warning(self, "Sample templates", "\n".join(errors))
            self.status_message.emit(f"imported {len(results) - len(errors)} sample templates")
            self.reload()

        def failed(exc: Exception) -> None:
            button.setEnabled(True)
            self._on_error(exc)

        run_in_background(self.svc.import_samples, done, failed, self)

    def _on_keys_dialog_finished(self, _result: int) -> None:
        self.reload()
        self.guide.focus_next_step()

    def open_keys(self, *, backup: bool = False) -> None:
        """The signing keys dialog, window-modal; Home re-reads when a key is made or exported (their events) or it
        closes. ``backup``: the first key without a backup selected, Export… focused."""
        from ui.panels.builds.keys_dialog import KeysDialog

        dialog = KeysDialog(self.services.builds, self, backup=backup)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_keys_dialog_finished)
        self.keys_dialog = dialog
        dialog.open()
        if not backup:
            dialog.alias.setFocus()


def create_panel(services: Services) -> QWidget:
    return HomePanel(services)
