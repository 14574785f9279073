from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.runtime import job_runtime
from tests.support.trends_standins import StandIn


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    s = StandIn().start()
    for name in ("REDDIT", "GOOGLE_TRENDS", "X", "TIKTOK"):
        monkeypatch.setenv(f"TRENDFORGE_{name}_BASE_URL", s.url)
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _drain_background_jobs(qtbot: object) -> Iterator[None]:
    """Let the panel's background reads finish before its widgets are closed at teardown."""
    yield
    job_runtime().drain(15)
    qtbot.wait(20)  # type: ignore[attr-defined]  # deliver their callbacks while the panel still exists
