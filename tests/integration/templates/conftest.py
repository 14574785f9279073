"""Fixtures for template integration tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import templates_packages


@pytest.fixture
def sample_dirs() -> list[Path]:
    return [templates_packages.SAMPLES / s for s in templates_packages.SAMPLE_IDS]


@pytest.fixture
def sample_copy(tmp_path: Path) -> Callable[[str], Path]:
    """A writable copy of a sample package to break on purpose."""
    counter = [0]

    def make(slug: str = "quotes-daily") -> Path:
        counter[0] += 1
        dest = tmp_path / "pkgs" / f"{slug}-{counter[0]}"
        shutil.copytree(templates_packages.SAMPLES / slug, dest, ignore=shutil.ignore_patterns("__pycache__"))
        return dest

    return make
