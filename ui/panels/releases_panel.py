"""The Releases view: per app id, what Google Play has on each track, the listing, and the rollout actions.

Every action is planned first from what Play has; the plan's lines (exactly what will change on the
track) are shown and the user is asked before anything is sent. Reads and writes run off the GUI
thread; results go to the Events log (``release.*``) and to a notification.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import TrendForgeError
from app.events import Event
from app.releases.events import ListingPushed, TrackEvent
from app.releases.model import TRACKS, ReleaseAction, ReleaseStatus, Track
from app.releases.results import TrackActionResult
from services.bootstrap import Services
from services.releases.service import ReleasePlan
from ui.background import run_in_background
from ui.colors import Tone, tone_style
from ui.widgets.plain_text import ask_yes_no, plain_label

_TITLES = {
    ReleaseAction.ROLLOUT: "Roll out", ReleaseAction.HALT: "Halt rollout", ReleaseAction.RESUME: "Resume rollout",
    ReleaseAction.COMPLETE: "Complete rollout", ReleaseAction.PROMOTE: "Promote release",
}


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes/No before anything is sent to Play; tests replace this function."""
    return ask_yes_no(parent, title, text, default_yes=False)


def confirm_title(plan: ReleasePlan) -> str:
    return _TITLES[plan.action]


def confirm_text(plan: ReleasePlan) -> str:
    """What the user is asked: exactly the change on the track, nothing else."""
    return (f"This changes {plan.application_id} on Google Play:\n\n" + "\n".join(plan.lines())
            + "\n\nNothing else changes. Send this to Google Play now?")


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class ReleasesPanel(QWidget):
    notify_requested = Signal(str, str)
    status_message = Signal(str)
    loaded = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.service = services.releases
        self.tracks: dict[str, Track] = {}
        self._asked_for = ""  # the app id last read from Play (or being read)

        self.app_box = QComboBox()
        self.app_box.setEditable(True)
        self.app_box.setMinimumWidth(260)
        self.app_box.setPlaceholderText("application id, e.g. com.example.quiz")
        self.app_box.activated.connect(lambda _i: self.reload())
        self.refresh_button = QPushButton("Refresh from Play")
        self.refresh_button.clicked.connect(self.reload)
        self.account_label = plain_label()
        top = QHBoxLayout()
        top.addWidget(QLabel("App"))
        top.addWidget(self.app_box)
        top.addWidget(self.refresh_button)
        self.account_label.setWordWrap(True)  # the no-key hint wraps at the minimum window size
        self.account_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.account_label, 1)

        self.tracks_table = QTableWidget(0, 5)
        self.tracks_table.setHorizontalHeaderLabels(["Track", "Version codes", "Status", "Rollout", "Release notes"])
        self.tracks_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tracks_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tracks_table.verticalHeader().setVisible(False)
        self.tracks_table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.tracks_table.itemSelectionChanged.connect(self._on_tracks_table_selection_changed)

        self.listing_table = QTableWidget(0, 3)
        self.listing_table.setHorizontalHeaderLabels(["Language", "Title", "Short description"])
        self.listing_table.verticalHeader().setVisible(False)
        self.listing_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        listing_box = QGroupBox("Store listing on Play")
        QVBoxLayout(listing_box).addWidget(self.listing_table)

        # actions on one track
        self.track_box = QComboBox()
        self.track_box.addItems(list(TRACKS))
        self.track_box.setCurrentText("production")
        self.track_box.currentTextChanged.connect(self._on_track_box_changed)
        self.fraction_spin = QDoubleSpinBox()
        self.fraction_spin.setRange(0.1, 99.9)
        self.fraction_spin.setDecimals(1)
        self.fraction_spin.setSuffix(" %")
        self.fraction_spin.setValue(10.0)
        self.rollout_button = QPushButton("Roll out to")
        self.halt_button = QPushButton("Halt")
        self.resume_button = QPushButton("Resume")
        self.complete_button = QPushButton("Complete (everyone)")
        self.from_box = QComboBox()
        self.from_box.addItems(list(TRACKS))
        self.from_box.setCurrentText("internal")
        self.from_box.currentTextChanged.connect(lambda _t: self._update_actions())
        self.promote_button = QPushButton("Promote here")
        self.staged_promote = QDoubleSpinBox()
        self.staged_promote.setRange(0.0, 99.9)
        self.staged_promote.setDecimals(1)
        self.staged_promote.setSuffix(" %")
        self.staged_promote.setSpecialValueText("everyone")
        self.rollout_button.clicked.connect(
            lambda: self.start(ReleaseAction.ROLLOUT, fraction=round(self.fraction_spin.value() / 100, 4)))
        self.halt_button.clicked.connect(lambda: self.start(ReleaseAction.HALT))
        self.resume_button.clicked.connect(lambda: self.start(ReleaseAction.RESUME))
        self.complete_button.clicked.connect(lambda: self.start(ReleaseAction.COMPLETE))
        self.promote_button.clicked.connect(self._on_promote_button_clicked)
        row1 = QHBoxLayout()
        for w in (QLabel("Track"), self.track_box, self.rollout_button, self.fraction_spin, self.halt_button,
                  self.resume_button, self.complete_button):
            row1.addWidget(w)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        for w in (QLabel("From"), self.from_box, self.promote_button, QLabel("to"), self.staged_promote):
            row2.addWidget(w)
        row2.addStretch(1)
        actions = QGroupBox("Change the selected track (you are shown what changes on Play and asked first)")
        alay = QVBoxLayout(actions)
        alay.addLayout(row1)
        alay.addLayout(row2)

        self.message = plain_label()
        self.message.setWordWrap(True)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tracks_table)
        split.addWidget(listing_box)
        split.setSizes([320, 160])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(actions)
        layout.addWidget(self.message)

        self._unsubscribe = [services.bus.subscribe("release.*", self._on_bus_event)]
        self.destroyed.connect(lambda *_: [u() for u in self._unsubscribe])
        self._update_actions()
        self._load_apps()

    # -- loading ---------------------------------------------------------------------------------
    def app_id(self) -> str:
        return self.app_box.currentText().strip()

    def _load_apps(self) -> None:
        services = self.services

        def load() -> tuple[str | None, list[str]]:
            return services.releases.account(), services.templates.application_ids()

        run_in_background(load, self._on_apps_loaded, self._on_error, self)

    def _on_apps_loaded(self, result: tuple[str | None, list[str]]) -> None:
        account, ids = result
        self.account_label.setText(f"Google Play key: {account}" if account else
                                   "No Google Play key: add the service account's JSON key in Settings")
        current = self.app_id()
        self.app_box.clear()
        self.app_box.addItems(ids)
        if current:
            self.app_box.setCurrentText(current)
        if self.app_id() and account and self.app_id() != self._asked_for:
            self.reload()  # an app typed before the ids were read is read once, not twice

    def reload(self) -> None:
        app = self.app_id()
        if not app:
            return
        svc = self.service
        self._asked_for = app
        self._set_busy(True, f"Asking Google Play about {app}…")
        run_in_background(lambda: (svc.tracks(app), svc.listings(app)), self._on_loaded, self._on_error, self)

    def _on_loaded(self, result: tuple[list[Track], list[dict[str, Any]]]) -> None:
        tracks, listings = result
        self.tracks = {t.name: t for t in tracks}
        self._set_track_names(sorted(self.tracks) or list(TRACKS))
        self.tracks_table.setRowCount(0)
        for t in tracks:
            for r in t.releases or ():
                self._add_row([t.name, ", ".join(str(c) for c in r.version_codes), r.status.value,
                               "-" if r.user_fraction is None else f"{r.user_fraction:.0%}",
                               "; ".join(f"{lang}: {text}" for lang, text in r.notes)])
            if not t.releases:
                self._add_row([t.name, "-", "(no release)", "-", ""])
        self.listing_table.setRowCount(0)
        for entry in listings:
            row = self.listing_table.rowCount()
            self.listing_table.insertRow(row)
            for col, key in enumerate(("language", "title", "shortDescription")):
                self.listing_table.setItem(row, col, _item(str(entry.get(key, ""))))
        self._set_busy(False, f"{self.app_id()}: {len(tracks)} tracks on Google Play"
                       if any(t.releases for t in tracks) else f"{self.app_id()} has no releases on Google Play yet")
        self._on_track_box_changed(self.track_box.currentText())
        self.loaded.emit()

    def _set_track_names(self, names: list[str]) -> None:
        """The track boxes offer the tracks Play has (closed testing tracks too), keeping what was chosen."""
        for box in (self.track_box, self.from_box):
            current = box.currentText()
            if [box.itemText(i) for i in range(box.count())] == names:
                continue
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            box.setCurrentText(current if current in names else names[0])
            box.blockSignals(False)

    def _add_row(self, cells: list[str]) -> None:
        row = self.tracks_table.rowCount()
        self.tracks_table.insertRow(row)
        for col, text in enumerate(cells):
            self.tracks_table.setItem(row, col, _item(text))

    # -- actions ---------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        track = self.tracks.get(self.track_box.currentText())
        statuses = {r.status for r in track.releases} if track else set()
        staged = bool(statuses & {ReleaseStatus.IN_PROGRESS, ReleaseStatus.HALTED})
        self.rollout_button.setEnabled(staged)
        self.fraction_spin.setEnabled(staged)
        self.halt_button.setEnabled(ReleaseStatus.IN_PROGRESS in statuses)
        self.resume_button.setEnabled(ReleaseStatus.HALTED in statuses)
        self.complete_button.setEnabled(staged)
        source = self.tracks.get(self.from_box.currentText())
        self.promote_button.setEnabled(bool(source and source.releases)
                                       and self.from_box.currentText() != self.track_box.currentText())

    def _on_track_box_changed(self, name: str) -> None:
        """Start the fraction box at the selected track's running rollout (it can only go up)."""
        track = self.tracks.get(name)
        staged = track.staged() if track else None
        if staged is not None and staged.user_fraction is not None:
            self.fraction_spin.setValue(round(staged.user_fraction * 100, 1))
        self._update_actions()

    def _on_tracks_table_selection_changed(self) -> None:
        rows = self.tracks_table.selectionModel().selectedRows()
        if rows:
            item = self.tracks_table.item(rows[0].row(), 0)
            if item is not None:
                self.track_box.setCurrentText(item.text())

    def _on_promote_button_clicked(self) -> None:
        share = self.staged_promote.value()
        self.start(ReleaseAction.PROMOTE, fraction=round(share / 100, 4) if share > 0 else None,
                   from_track=self.from_box.currentText())

    def start(self, action: ReleaseAction, *, fraction: float | None = None, from_track: str = "") -> None:
        app, track, svc = self.app_id(), self.track_box.currentText(), self.service
        self._set_busy(True, f"Reading the {track} track of {app} from Google Play…")
        run_in_background(lambda: svc.plan(app, action, track, fraction=fraction, from_track=from_track),
                          self._on_planned, self._on_error, self)

    def _on_planned(self, plan: ReleasePlan) -> None:
        if not ask_confirm(self, confirm_title(plan), confirm_text(plan)):
            self._set_busy(False, "Nothing was sent to Google Play.")
            return
        svc = self.service
        self._set_busy(True, f"Sending to Google Play: {'; '.join(plan.lines())}")
        run_in_background(lambda: svc.apply(plan), self._on_applied, self._on_error, self)

    def _on_applied(self, result: TrackActionResult) -> None:
        lines = "\n".join(result["changes"])
        self._set_busy(False, f"Google Play updated: {'; '.join(result['changes'])}")
        self.notify_requested.emit(f"{_TITLES[ReleaseAction(result['action'])]}: {result['application_id']}", lines)
        self.reload()

    def _on_error(self, exc: Exception) -> None:
        text = str(exc) if isinstance(exc, TrendForgeError) else f"{type(exc).__name__}: {exc}"
        self._set_busy(False, text, error=True)

    def _on_bus_event(self, event: Event) -> None:
        if isinstance(event, (TrackEvent, ListingPushed)) and event.application_id == self.app_id():
            self.status_message.emit(f"{event.type}: {event.application_id}")

    def _set_busy(self, busy: bool, text: str, *, error: bool = False) -> None:
        self.refresh_button.setEnabled(not busy)
        for button in (self.rollout_button, self.halt_button, self.resume_button, self.complete_button,
                       self.promote_button):
            if busy:
                button.setEnabled(False)
        if not busy:
            self._update_actions()
        self.message.setStyleSheet(tone_style(Tone.ERROR) if error else "")
        self.message.setText(text)


def create_panel(services: Services) -> QWidget:
    return ReleasesPanel(services)
