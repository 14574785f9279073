"""The payments CLI as a subprocess against localstripe on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parents[2] / "integration" / "payments" / "standins.py"
if "payments_standins" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("payments_standins", _path)
    assert _spec and _spec.loader
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules["payments_standins"] = _mod
    _spec.loader.exec_module(_mod)
standins = sys.modules["payments_standins"]


@pytest.fixture
def e2e_localstripe() -> Iterator[str]:
    with standins.localstripe() as url:
        yield url
