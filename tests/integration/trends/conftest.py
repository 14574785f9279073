from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.trends_standins import StandIn


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """One stand-in for every source; the base-URL environment overrides point at it."""
    s = StandIn().start()
    for name in ("REDDIT", "GOOGLE_TRENDS", "X", "TIKTOK"):
        monkeypatch.setenv(f"TRENDFORGE_{name}_BASE_URL", s.url)
    yield s
    s.stop()
