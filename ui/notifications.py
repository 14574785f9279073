"""Deliver the notifications ``app.notifications`` picks: desktop, else the tray, else the status bar.

The :class:`Notifier` listens to the bus, drops the kinds muted in Settings, and sends the rest
to the freedesktop notification service off the GUI thread. When that service is missing it
falls back to the tray icon's balloon, and without a tray to the status bar. A click on a
desktop notification (or the tray balloon) emits ``activated`` with the item to open.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from app.events import Event
from app.home.model import ItemRef
from app.notifications import MUTED_SETTING, Notification, muted_kinds, notification_for, run_interrupted
from services.desktop.notifications import DEFAULT_ACTION, DesktopNotifications, NotificationsUnavailableError
from ui.background import run_in_background
from ui.icons import app_icon

if TYPE_CHECKING:
    from services.bootstrap import Services


class Channel(enum.StrEnum):
    DESKTOP = "desktop"
    TRAY = "tray"
    STATUS_BAR = "status bar"


class Notifier(QObject):
    delivered = Signal(object, object)  # Notification, Channel
    activated = Signal(object)  # ItemRef
    _action = Signal(int, str)  # from the listener thread to the GUI thread

    def __init__(self, services: Services, tray: QSystemTrayIcon | None, status: Callable[[str], None],
                 parent: QObject | None = None, *, desktop: DesktopNotifications | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.tray = tray
        self._status = status
        self.desktop = desktop or DesktopNotifications("TrendForge", self._action.emit)
        self._refs: dict[int, ItemRef] = {}
        self._tray_ref: ItemRef | None = None
        self._desktop_ok = True
        self._action.connect(self._on_desktop_action)
        if tray is not None:
            tray.messageClicked.connect(self._on_tray_message_clicked)
        self._unsubscribe = services.bus.subscribe("*", self._on_bus_event)

    def start(self) -> None:
        """Tell about runs found interrupted when the app started."""
        home = self.services.home
        run_in_background(home.interrupted_runs, self._on_interrupted_found, lambda _exc: None, self)

    def close(self) -> None:
        self._unsubscribe()
        self.desktop.close()

    def _on_interrupted_found(self, runs: list[tuple[str, str, str]]) -> None:
        for run_id, workflow, step in runs:
            self.show(run_interrupted(run_id, workflow, step))

    def _on_bus_event(self, event: Event) -> None:
        note = notification_for(event)
        if note is not None:
            self.show(note)

    def is_muted(self, note: Notification) -> bool:
        return note.kind in muted_kinds(self.services.settings.get(MUTED_SETTING, []))

    def show(self, note: Notification) -> None:
        if self.is_muted(note):
            return
        if not self._desktop_ok:
            self._fallback(note)
            return
        desktop = self.desktop

        def sent(notification_id: int) -> None:
            if note.ref is not None:
                self._refs[notification_id] = note.ref
            self.delivered.emit(note, Channel.DESKTOP)

        def refused(exc: Exception) -> None:
            if isinstance(exc, NotificationsUnavailableError):
                self._desktop_ok = False  # not asked again this session
            self._fallback(note)

        run_in_background(lambda: desktop.notify(note.title, note.body), sent, refused, self)

    def _fallback(self, note: Notification) -> None:
        if self.tray is not None and self.tray.isVisible() and self.tray.supportsMessages():
            self._tray_ref = note.ref
            self.tray.showMessage(note.title, note.body, app_icon(), 8000)
            self.delivered.emit(note, Channel.TRAY)
            return
        self._status(f"{note.title}: {note.body}")
        self.delivered.emit(note, Channel.STATUS_BAR)

    def _on_desktop_action(self, notification_id: int, action: str) -> None:
        ref = self._refs.get(notification_id)
        if ref is not None and action == DEFAULT_ACTION:
            self.activated.emit(ref)

    def _on_tray_message_clicked(self) -> None:
        if self._tray_ref is not None:
            self.activated.emit(self._tray_ref)
