from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from standins import StandIn


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """One stand-in for every source; the base-URL environment overrides point at it."""
    s = StandIn().start()
    for name in ("REDDIT", "GOOGLE_TRENDS", "X", "TIKTOK"):
        monkeypatch.setenv(f"TRENDFORGE_{name}_BASE_URL", s.url)
    yield s
    s.stop()
