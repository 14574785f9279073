from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# the stand-in servers live beside the integration tests; share them rather than copy them
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "trends"))
from standins import StandIn


@pytest.fixture
def standin() -> Iterator[StandIn]:
    s = StandIn().start()
    yield s
    s.stop()


@pytest.fixture
def source_env(standin: StandIn) -> dict[str, str]:
    return {f"TRENDFORGE_{n}_BASE_URL": standin.url for n in ("REDDIT", "GOOGLE_TRENDS", "X", "TIKTOK")}
