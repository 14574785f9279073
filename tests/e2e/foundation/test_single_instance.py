"""One GUI per data directory: a second launch brings the first window forward and starts nothing.

Two real GUI processes (offscreen) on one data dir; the first reports, in its start-up report,
when it was asked to come to the front.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _gui(data_dir: Path, report: Path, quit_after: float, *, quit_when_filled: bool = False) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TRENDFORGE_HOME", "TRENDFORGE_QUIT_WHEN_FILLED")}
    env.update(QT_QPA_PLATFORM="offscreen", TRENDFORGE_STARTUP_REPORT=str(report))
    if quit_when_filled:
        env["TRENDFORGE_QUIT_WHEN_FILLED"] = "1"
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir),
                             "--quit-after", str(quit_after)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_for(report: Path, word: str, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not (report.exists() and any(line.startswith(word) for line in report.read_text().splitlines())):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, f"no {word!r} in the start-up report"
        time.sleep(0.05)


def test_a_second_gui_on_the_same_data_dir_brings_the_first_forward_and_exits(data_dir: Path, tmp_path: Path) -> None:
    first_report = tmp_path / "first.txt"
    first = _gui(data_dir, first_report, 90)
    try:
        _wait_for(first_report, "ready", first)
        second_report = tmp_path / "second.txt"
        second = _gui(data_dir, second_report, 90)
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert err.strip().splitlines()[-1] == (
            f"TrendForge is already open on {data_dir}; its window was brought to the front")
        # it stopped before its window and its services (no second scheduler, no second recovery)
        assert not second_report.exists()
        _wait_for(first_report, "activated", first, timeout=30)
    finally:
        first.terminate()
        first.communicate(timeout=60)


def test_a_gui_that_crashed_leaves_no_lock_in_the_way(data_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "crashed.txt"
    crashed = _gui(data_dir, report, 90)
    _wait_for(report, "ready", crashed)
    crashed.kill()  # SIGKILL: the lock file and the socket stay behind
    crashed.communicate(timeout=30)
    assert (data_dir / "gui.lock").exists()
    again_report = tmp_path / "again.txt"
    again = _gui(data_dir, again_report, 90, quit_when_filled=True)  # it quits once its first panel is filled
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert any(line.startswith("ready") for line in again_report.read_text().splitlines())
