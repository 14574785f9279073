"""The data dir on a small real tmpfs that fills up: one line saying the disk is full and where,
no traceback, the right thing blamed, and the store still sound afterwards."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.damage import small_disk

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def full_home(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "3m") as disk:  # unmounted in teardown
        yield disk / "home"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=180, check=False)


def fill(disk: Path, leave: int) -> None:
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))


def big_package(path: Path) -> Path:
    m = json.loads((ROOT / "resources" / "samples" / "quotes-daily" / "template.json").read_text())
    m.pop("preview")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("template.json", json.dumps(m))
        zf.writestr("web/blob.bin", os.urandom(1_000_000))
    return path


def _full_line(result: subprocess.CompletedProcess[str], home: Path) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert f"the disk holding {home} is full" in line
    return line


def test_an_import_that_fills_the_disk_blames_the_disk(full_home: Path, tmp_path: Path) -> None:
    assert run(full_home, "health").returncode in (0, 1)
    fill(full_home.parent, leave=300_000)
    line = _full_line(run(full_home, "templates", "import", str(big_package(tmp_path / "big.zip"))), full_home)
    assert "cannot read big.zip" not in line  # the package is fine; the disk is not
    listed = run(full_home, "templates", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []  # nothing half-imported


def test_a_database_write_that_fills_the_disk_is_one_line(full_home: Path, tmp_path: Path) -> None:
    assert run(full_home, "health").returncode in (0, 1)
    csv = tmp_path / "many.csv"
    csv.write_text("title,volume,rank,taken_at\n" + "".join(
        f"trend number {i} with words,{i},1,2026-11-10T00:00:00Z\n" for i in range(20000)))
    fill(full_home.parent, leave=200_000)
    _full_line(run(full_home, "trends", "import", "--source", "csv", str(csv)), full_home)
    (full_home.parent / "filler").unlink()
    conn = sqlite3.connect(full_home / "trendforge.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM trends").fetchone() == (0,)  # all or nothing
    finally:
        conn.close()
