"""The Play stand-in for the CLI tests (the CLI runs as a subprocess pointed at it)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
from play_standin import PlayStandIn


@pytest.fixture
def play() -> Iterator[PlayStandIn]:
    st = PlayStandIn().start()
    try:
        yield st
    finally:
        st.stop()
