"""A window's services hand their store's page caches back once the app is idle (the job runtime's
give-back, which the window asks for when the services are attached)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from services.bootstrap import Services
from services.runtime import job_runtime
from tests.support.sqlite_memory import fill_and_warm, sqlite_memory_used
from ui.app_runner import create_window

MB = 1024 * 1024


def test_the_store_page_caches_are_released_once_the_window_is_idle(qtbot: QtBot, services: Services) -> None:
    window = create_window(services)
    qtbot.addWidget(window)
    job_runtime().submit(lambda: fill_and_warm(services.ctx.engine)).result(timeout=30)
    warm = sqlite_memory_used()
    # no call from here: the runtime releases them once its pool has been idle a moment
    qtbot.waitUntil(lambda: sqlite_memory_used() < warm - 3 * MB, timeout=10_000)
