"""The payments CLI as a subprocess against localstripe on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import payments_standins as standins


@pytest.fixture
def e2e_localstripe() -> Iterator[str]:
    with standins.localstripe() as url:
        yield url
