"""Every command on a damaged data dir, doctor included, prints one line naming the file and what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.damage import DAMAGE, DB_NAME, read_only

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def damaged(cli: CliRunner, data_dir: Path, request: pytest.FixtureRequest) -> str:
    assert cli("health").returncode in (0, 1)  # a real store on data_dir
    hurt, words = DAMAGE[request.param]
    hurt(data_dir)
    return words


def _one_line(result: subprocess.CompletedProcess[str], words: str) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("trendforge: ") and words in line
    return line


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_a_command_says_what_is_wrong(cli: CliRunner, data_dir: Path, damaged: str) -> None:
    line = _one_line(cli("templates", "list"), damaged)
    assert str(data_dir / DB_NAME) in line


@pytest.mark.parametrize("damaged", ["newer schema"], indirect=True)
def test_doctor_reports_the_rest_then_the_one_line(cli: CliRunner, damaged: str) -> None:
    result = cli("doctor")
    _one_line(result, damaged)
    assert "[MISS] database" in result.stdout and "[ok  ] sqlite" in result.stdout and "tool:apksigner" in result.stdout


def test_read_only_data_dir(cli: CliRunner, data_dir: Path) -> None:
    assert cli("health").returncode in (0, 1)
    with read_only(data_dir) as view:
        env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
        result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(view), "trends", "list"],
                                capture_output=True, text=True, env=env, timeout=120, check=False)
    line = _one_line(result, "is not writable (Read-only file system)")
    assert str(view) in line


@pytest.mark.parametrize("damaged", ["truncated file"], indirect=True)
def test_the_gui_shows_the_error_instead_of_loading_forever(cli: CliRunner, data_dir: Path, tmp_path: Path,
                                                              damaged: str) -> None:
    report = tmp_path / "startup.txt"
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    env.update(QT_QPA_PLATFORM="offscreen", TRENDFORGE_STARTUP_REPORT=str(report))
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--quit-after", "8"],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    lines = report.read_text().splitlines()
    assert lines[0].startswith("shown ") and lines[1].startswith("error ") and damaged in lines[1]
