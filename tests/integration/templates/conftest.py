"""Fixtures for template integration tests."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def load_helpers():  # type: ignore[no-untyped-def]
    name = "templates_test_helpers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_helpers.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


H = load_helpers()


@pytest.fixture
def sample_dirs() -> list[Path]:
    return [H.SAMPLES / s for s in H.SAMPLE_IDS]


@pytest.fixture
def sample_copy(tmp_path: Path) -> Callable[[str], Path]:
    """A writable copy of a sample package to break on purpose."""
    counter = [0]

    def make(slug: str = "quotes-daily") -> Path:
        counter[0] += 1
        dest = tmp_path / "pkgs" / f"{slug}-{counter[0]}"
        shutil.copytree(H.SAMPLES / slug, dest, ignore=shutil.ignore_patterns("__pycache__"))
        return dest

    return make
