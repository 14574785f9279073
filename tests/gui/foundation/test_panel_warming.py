"""Warming the panels: once the window has imported every panel's modules on a worker, a first
open of each panel imports nothing on the GUI thread (a cold import of the Builds panel and its
runner was ~100 ms of the open's stall at 1M rows).

It runs in a fresh interpreter (offscreen), since this test session has imported every panel
already: an import spy on ``sys.meta_path`` records what the GUI thread imports while each panel
is opened for the first time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
import importlib.abc, json, sys, threading
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

opening = []  # the panel being opened, while it is

class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if opening and threading.current_thread() is threading.main_thread():
            seen.setdefault(opening[0], []).append(name)
        return None

seen = {}
sys.meta_path.insert(0, Spy())
app = QApplication([])
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from ui.app_runner import create_window

config = AppConfig.from_env(sys.argv[1])
config.log_to_file = False
services = bootstrap(config, secrets=MemorySecretStore())
window = create_window(services)
window.show()

def wait(signal=None, ms=300):
    loop = QEventLoop()
    if signal is not None:
        signal.connect(loop.quit)
    QTimer.singleShot(ms if signal is None else 60_000, loop.quit)
    loop.exec()

wait()  # the first panel (Home) is built by attach
warm = sys.argv[2] == "warm"
if warm:
    QTimer.singleShot(0, window.warm_panels)
    wait(window.panels_warmed)
for spec in window.specs:
    if spec.title in window.panels:
        continue
    opening.append(spec.title)
    window.show_panel(spec.title)
    wait()  # its first reads come back and are shown
    opening.clear()
    seen.setdefault(spec.title, [])
print(json.dumps(seen))
window.close()
services.close()
"""


def _first_open_imports(tmp_path: Path, mode: str) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "data"), mode], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def warmed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return _first_open_imports(tmp_path_factory.mktemp("warmed"), "warm")


@pytest.mark.child_process
def test_after_warming_no_first_open_imports_on_the_gui_thread(warmed: dict[str, list[str]]) -> None:
    assert {title: names for title, names in warmed.items() if names} == {}
    assert {"Builds", "Workflows", "Templates", "Payments"} <= warmed.keys()  # each was opened


@pytest.mark.child_process
def test_without_warming_a_first_open_imports_its_panel(tmp_path: Path) -> None:
    """The spy sees what a cold open imports (so the test above can fail)."""
    cold = _first_open_imports(tmp_path, "cold")
    assert "ui.panels.builds_panel" in cold["Builds"]
