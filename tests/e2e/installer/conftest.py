"""The installer is built once per test session: the PyInstaller bundle, the .tar.gz and the .deb."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_installer.sh"), str(out)],
        capture_output=True, text=True, timeout=900, check=False, cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    print(r.stdout)
    yield out
