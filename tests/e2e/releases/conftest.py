"""The Play stand-in for the CLI tests (the CLI runs as a subprocess pointed at it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.play_standin import PlayStandIn


@pytest.fixture
def play() -> Iterator[PlayStandIn]:
    st = PlayStandIn().start()
    try:
        yield st
    finally:
        st.stop()
