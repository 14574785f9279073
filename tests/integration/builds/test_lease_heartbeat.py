"""The builds' lease heartbeat writes on a worker: on the GUI thread its renewal waited for the
store's write lock while a sync stored a page, and the window froze for that long."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from services.bootstrap import Services


def test_a_beat_renews_the_leases_on_a_worker_not_the_gui_thread(services: Services, qtbot: QtBot,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    builds = services.builds
    renewed_on: list[int] = []
    real = builds.leases.renew

    def renew(*args: Any, **kwargs: Any) -> int:
        renewed_on.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(builds.leases, "renew", renew)
    builds._on_heartbeat_timeout()
    qtbot.waitUntil(lambda: bool(renewed_on), timeout=10_000)
    assert renewed_on[0] != threading.get_ident()


def test_a_beat_still_waiting_for_the_store_lets_the_next_one_go(services: Services, qtbot: QtBot,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    builds = services.builds
    release = threading.Event()
    calls: list[int] = []

    def renew(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        release.wait(10)
        return 0

    monkeypatch.setattr(builds.leases, "renew", renew)
    builds._on_heartbeat_timeout()
    qtbot.waitUntil(lambda: bool(calls), timeout=10_000)
    builds._on_heartbeat_timeout()  # due while the first still waits
    release.set()
    qtbot.waitUntil(lambda: builds._beating is not None and builds._beating.done(), timeout=10_000)
    assert len(calls) == 1
