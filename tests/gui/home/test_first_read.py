"""Home's first read starts once Home is painted, not beside the turn that builds and paints it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from pytestqt.qtbot import QtBot

from app.home.model import HomeOverview
from ui.app_runner import create_window
from ui.panels.home_panel import HomePanel


class _FirstPaint(QObject):
    """Records whether the overview read had started when Home received its first paint."""

    def __init__(self, started: threading.Event) -> None:
        super().__init__()
        self._started = started
        self.started_at_paint: bool | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.started_at_paint is None:
            self.started_at_paint = self._started.is_set()
        return False


def test_homes_first_read_starts_after_its_first_paint(qtbot: QtBot, services: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    started = threading.Event()
    real = type(services.home).overview

    def spied(self: Any) -> HomeOverview:  # a spy on the real service: the read itself runs unchanged
        started.set()
        return real(self)

    monkeypatch.setattr(type(services.home), "overview", spied)
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    home = window.panel("Home")
    assert isinstance(home, HomePanel)
    watch = _FirstPaint(started)
    home.installEventFilter(watch)
    assert not started.is_set()  # building Home did not start its read
    qtbot.waitUntil(lambda: home.overview is not None, timeout=5000)
    assert watch.started_at_paint is False
