"""Let a widget's background work finish before its widgets are closed at teardown (one fixture for every GUI test
that needs it; registered by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from services.runtime import job_runtime


@pytest.fixture
def drain_background_jobs(qtbot: QtBot) -> Iterator[None]:
    yield
    job_runtime().drain(15)
    qtbot.wait(20)  # deliver their callbacks while the widgets still exist
