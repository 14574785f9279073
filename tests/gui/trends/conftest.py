from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.qasync_loop import aloop  # noqa: F401 - a qasync loop: a sync runs on it, as in the app
from tests.support.trends_standins import StandIn


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    s = StandIn().start()
    for name in ("REDDIT", "GOOGLE_TRENDS", "X", "TIKTOK"):
        monkeypatch.setenv(f"TRENDFORGE_{name}_BASE_URL", s.url)
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _drain_background_jobs(drain_background_jobs: None) -> None:
    """Let the panel's background reads finish before its widgets are closed at teardown."""
