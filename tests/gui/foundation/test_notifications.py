"""Notifications reach a stand-in org.freedesktop.Notifications service on the test's private session bus.

``scripts/check.sh`` runs pytest under ``dbus-run-session``; the stand-in (notifications_standin.py,
a separate process) owns the name there, checks each call's wire signature and prints what it got.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.builds.events import BuildFailed, BuildSigned
from app.events import Event, event_type
from app.notifications import MUTED_SETTING
from app.payments.events import PaymentDeclined
from app.trends.events import SourceFailed
from app.workflows.events import ApprovalRequested, WorkflowFailed, WorkflowInterrupted
from ui.app_runner import create_window
from ui.main_window import MainWindow
from ui.notifications import Channel

STANDIN = Path(__file__).with_name("notifications_standin.py")
RUN_ID = "c3" * 16


@event_type("release.test_rollout_changed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleaseChangedForTest(Event):
    """Stands for the releases area's events: any ``release.*`` type is a release change."""

    app_id: str = ""
    track: str = ""
    status: str = ""


class StandIn:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(STANDIN)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=dict(os.environ))
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        assert first == "ready", f"stand-in did not start: {first!r}"
        self.received: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.received.append(json.loads(line))

    def click(self, notification_id: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"click {notification_id}\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    s = StandIn()
    yield s
    s.stop()


@pytest.fixture
def window(qtbot: QtBot, services: Any) -> Iterator[MainWindow]:
    w = create_window(services)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


KINDS = [
    (BuildSigned(build_id="b" * 32, template_id="quotes-daily"), "Build finished", "quotes-daily"),
    (BuildFailed(build_id="b" * 32, template_id="quotes-daily", step="sign", error="apksigner: bad password"),
     "Build failed", "apksigner: bad password"),
    (ApprovalRequested(run_id=RUN_ID, workflow="approval-demo", step="approve", message="Approve the cat app?"),
     "Approval needed", "Approve the cat app?"),
    (WorkflowFailed(run_id=RUN_ID, workflow="trend-to-release", step="build", error="no key"),
     "Workflow run failed", "no key"),
    (WorkflowInterrupted(run_id=RUN_ID, workflow="trend-to-release", step="build"),
     "Workflow run interrupted", "trend-to-release at build"),
    (SourceFailed(source_name="reddit", error="HTTP 503"), "Trend source reddit failed", "HTTP 503"),
    (PaymentDeclined(transaction_id="t1", provider="stripe", reason="Your card was declined."),
     "Payment failed (stripe)", "Your card was declined."),
    (ReleaseChangedForTest(app_id="com.example.quotes", track="production", status="halted"),
     "Release changed", "com.example.quotes production halted"),
]


@pytest.mark.parametrize(("event", "summary", "body"), KINDS, ids=[type(k[0]).__name__ for k in KINDS])
def test_each_kind_reaches_the_desktop_service(qtbot: QtBot, window: MainWindow, standin: StandIn, services: Any,
                                               event: Event, summary: str, body: str) -> None:
    assert window.notifier is not None
    with qtbot.waitSignal(window.notifier.delivered, timeout=5000) as delivered:
        services.bus.publish(event)
    assert delivered.args[1] is Channel.DESKTOP
    qtbot.waitUntil(lambda: len(standin.received) == 1, timeout=5000)
    got = standin.received[0]
    assert (got["app"], got["summary"]) == ("TrendForge", summary)
    assert body in got["body"]
    assert "default" in got["actions"]


def test_clicking_a_notification_opens_its_item(qtbot: QtBot, window: MainWindow, standin: StandIn,
                                                services: Any) -> None:
    assert window.notifier is not None
    services.bus.publish(BuildFailed(build_id="b" * 32, template_id="quotes-daily", error="boom"))
    qtbot.waitUntil(lambda: len(standin.received) == 1, timeout=5000)
    assert window.current_title() == "Home"
    with qtbot.waitSignal(window.notifier.activated, timeout=5000) as opened:
        standin.click(standin.received[0]["id"])
    assert opened.args[0].item_id == "b" * 32
    assert window.current_title() == "Builds"


def test_a_muted_kind_is_not_sent(qtbot: QtBot, window: MainWindow, standin: StandIn, services: Any) -> None:
    services.settings.update({MUTED_SETTING: ["build_failed"]})
    services.bus.publish(BuildFailed(build_id="b" * 32, template_id="quotes-daily", error="boom"))
    services.bus.publish(BuildSigned(build_id="c" * 32, template_id="trivia-quiz"))
    qtbot.waitUntil(lambda: len(standin.received) >= 1, timeout=5000)
    assert [r["summary"] for r in standin.received] == ["Build finished"]


def test_without_a_desktop_service_the_status_bar_says_it(qtbot: QtBot, window: MainWindow, services: Any) -> None:
    assert window.notifier is not None
    with qtbot.waitSignal(window.notifier.delivered, timeout=5000) as delivered:
        services.bus.publish(SourceFailed(source_name="reddit", error="HTTP 503"))
    assert delivered.args[1] is Channel.STATUS_BAR  # no tray on the offscreen platform either
    assert "Trend source reddit failed: HTTP 503" in window.statusBar().currentMessage()


def test_a_run_found_interrupted_at_start_up_is_notified(qtbot: QtBot, services: Any, standin: StandIn) -> None:
    from services.workflows.models import WorkflowRunRecord

    with services.ctx.new_uow() as uow:
        uow.session.add(WorkflowRunRecord(id=RUN_ID, workflow="trend-to-release", version=1, definition={},
                                          status="interrupted", phase="forward", inputs={}, failed_step="build",
                                          created_at=datetime(2026, 10, 1, tzinfo=UTC)))
        uow.commit()
    w = create_window(services)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: len(standin.received) == 1, timeout=5000)
    assert standin.received[0]["summary"] == "Workflow run interrupted"
    assert "trend-to-release at build" in standin.received[0]["body"]
    w.close()


def test_settings_mutes_a_kind(qtbot: QtBot, services: Any) -> None:
    from app.notifications import NotificationKind
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    assert all(box.isChecked() for box in dialog.notify_boxes.values())
    dialog.notify_boxes[NotificationKind.PAYMENT_FAILED].setChecked(False)
    dialog.accept()
    assert services.settings.get(MUTED_SETTING) == ["payment_failed"]
    again = SettingsDialog(services)
    qtbot.addWidget(again)
    assert not again.notify_boxes[NotificationKind.PAYMENT_FAILED].isChecked()
