"""The data dir is the owner's alone: 0700, and the files TrendForge creates in it 0600."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_dir_and_its_files_are_owner_only(cli: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    fresh = data_dir / "new-home"
    assert cli("--data-dir", str(fresh), "templates", "import",
               str(Path(__file__).resolve().parents[3] / "resources" / "samples" / "quotes-daily")).returncode == 0
    assert _mode(fresh) == 0o700
    created = [p for p in fresh.rglob("*")]
    files = [p for p in created if p.is_file()]
    assert any(p.name == "trendforge.sqlite3" for p in files) and any(p.name == "template.json" for p in files)
    assert {p.relative_to(fresh).as_posix(): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
    assert {p.relative_to(fresh).as_posix(): oct(_mode(p)) for p in created if p.is_dir() and _mode(p) != 0o700} == {}


def test_an_existing_data_dir_is_tightened(cli: CliRunner, data_dir: Path) -> None:
    assert cli("health").returncode in (0, 1)
    data_dir.chmod(0o755)
    (data_dir / "trendforge.sqlite3").chmod(0o644)
    assert cli("health").returncode in (0, 1)
    assert _mode(data_dir) == 0o700 and _mode(data_dir / "trendforge.sqlite3") == 0o600
