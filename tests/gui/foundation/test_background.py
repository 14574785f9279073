"""run_in_background: results come back on the GUI thread; a destroyed owner gets no callback."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from services.runtime import job_runtime
from ui.background import LatestQuery, pending, run_in_background


def test_result_arrives_on_gui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    got: list[tuple[int, int]] = []
    run_in_background(lambda: threading.get_ident(), lambda worker: got.append((worker, threading.get_ident())), lambda e: None, owner)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=3000)
    worker, gui = got[0]
    assert worker != gui and gui == threading.get_ident()


def test_error_goes_to_error_callback(qtbot: QtBot) -> None:
    owner = QObject()
    errors: list[Exception] = []

    def boom() -> None:
        raise ValueError("no such template")

    run_in_background(boom, lambda _: None, errors.append, owner)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=3000)
    assert str(errors[0]) == "no such template"


def test_owner_destroyed_before_the_job_ends(qtbot: QtBot) -> None:
    owner = QObject()
    called: list[object] = []
    release = threading.Event()

    def slow() -> str:
        release.wait(5)
        time.sleep(0.05)
        return "late"

    run_in_background(slow, called.append, called.append, owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(owner), timeout=3000)
    release.set()
    assert job_runtime().drain(5)
    qtbot.wait(100)  # let the queued result arrive (it must be dropped)
    assert called == []


def test_a_read_waiting_for_the_first_paint_counts_as_pending(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.show()
    got: list[int] = []
    before = pending()
    LatestQuery(owner).run_soon(lambda: 1, got.append, lambda e: None)
    assert pending() == before + 1  # not started yet, and not "settled" either (start-up's filled mark)
    qtbot.waitUntil(lambda: got == [1], timeout=3000)
    qtbot.waitUntil(lambda: pending() == before, timeout=3000)


def test_a_waiting_read_whose_owner_is_destroyed_is_no_longer_pending(qtbot: QtBot) -> None:
    owner = QWidget()
    owner.show()
    before = pending()
    LatestQuery(owner).run_soon(lambda: 1, lambda _: None, lambda e: None)
    owner.deleteLater()
    qtbot.waitUntil(lambda: pending() == before, timeout=3000)
