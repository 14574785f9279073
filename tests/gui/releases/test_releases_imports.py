"""google-auth (and what it signs with) is loaded when a Play key is first read, not with the
Releases area or its panel: ~6.6 MB and ~115 modules a window without a Play key never needs.

A fresh interpreter (offscreen), since this test session has imported google-auth already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow  # a fresh interpreter builds a whole window (~10 s)

CHILD = """
import json, sys
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from ui.app_runner import create_window

config = AppConfig.from_env(sys.argv[1])
config.log_to_file = False
services = bootstrap(config, secrets=MemorySecretStore())
services.build_all()
window = create_window(services)
window.show()
window.show_panel("Releases")
loop = QEventLoop()
QTimer.singleShot(500, loop.quit)
loop.exec()
loaded = {"opened": "google.auth" in sys.modules}
services.releases.account()  # no key stored: nothing to read
loaded["no key"] = "google.auth" in sys.modules
print(json.dumps(loaded))
window.close()
services.close()
"""


def test_opening_releases_without_a_play_key_loads_no_google_auth(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "data")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"opened": False, "no key": False}
