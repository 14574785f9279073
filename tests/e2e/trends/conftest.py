from __future__ import annotations

from collections.abc import Iterator

import pytest

# the stand-in servers live beside the integration tests; share them rather than copy them
from tests.support.trends_standins import StandIn


@pytest.fixture
def standin() -> Iterator[StandIn]:
    s = StandIn().start()
    yield s
    s.stop()


@pytest.fixture
def source_env(standin: StandIn) -> dict[str, str]:
    return {f"TRENDFORGE_{n}_BASE_URL": standin.url for n in ("REDDIT", "GOOGLE_TRENDS", "X", "TIKTOK")}
