"""run_in_background: results come back on the GUI thread; a destroyed owner gets no callback; when_settled
calls back once nothing is pending."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from services.runtime import job_runtime
from ui.background import LatestQuery, pending, run_in_background, unsettled, when_settled


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


def test_a_read_waiting_for_the_first_paint_counts_as_unsettled(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.show()
    got: list[int] = []
    before, jobs = unsettled(), pending()
    LatestQuery(owner).run_soon(lambda: 1, got.append, lambda e: None)
    assert pending() == jobs  # no worker yet beside the turn that shows the owner
    assert unsettled() == before + 1  # but not "settled" either (start-up's filled mark)
    qtbot.waitUntil(lambda: got == [1], timeout=3000)
    qtbot.waitUntil(lambda: unsettled() == before, timeout=3000)


def test_a_waiting_read_whose_owner_is_destroyed_is_settled(qtbot: QtBot) -> None:
    owner = QWidget()
    owner.show()
    before = unsettled()
    LatestQuery(owner).run_soon(lambda: 1, lambda _: None, lambda e: None)
    owner.deleteLater()
    qtbot.waitUntil(lambda: unsettled() == before, timeout=3000)


def test_when_settled_waits_for_a_job_that_an_outcome_starts_from_a_zero_timer(qtbot: QtBot) -> None:
    owner = QObject()
    order: list[str] = []

    def second() -> None:
        run_in_background(lambda: None, lambda _: order.append("second"), lambda e: None, owner)

    run_in_background(lambda: None, lambda _: (order.append("first"), QTimer.singleShot(0, second)),
                      lambda e: None, owner)
    when_settled(owner, lambda: order.append("settled"))
    qtbot.waitUntil(lambda: "settled" in order, timeout=3000)
    assert order == ["first", "second", "settled"]


def test_when_settled_calls_back_on_the_turn_after_the_last_outcome(qtbot: QtBot) -> None:
    """Not after a quiet spell: a 25 ms timer set as the last outcome arrives fires after it (polling every
    10 ms for three quiet looks called back 20-30 ms after the last outcome)."""
    owner = QObject()
    order: list[str] = []

    def last(_: object) -> None:
        order.append("outcome")
        QTimer.singleShot(25, lambda: order.append("25 ms later"))

    run_in_background(lambda: None, last, lambda e: None, owner)
    when_settled(owner, lambda: order.append("settled"))
    qtbot.waitUntil(lambda: "25 ms later" in order, timeout=3000)
    assert order == ["outcome", "settled", "25 ms later"]


def test_when_settled_calls_back_once_a_held_read_is_dropped(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.show()
    query = QWidget()
    query.show()
    settled: list[bool] = []
    LatestQuery(query).run_soon(lambda: 1, lambda _: None, lambda e: None)
    when_settled(owner, lambda: settled.append(True))
    query.deleteLater()  # the read is dropped before it starts: no outcome is delivered
    qtbot.waitUntil(lambda: settled == [True], timeout=3000)
