"""Regression: PySide6 6.12.0 on Python 3.11 drops a reference to True on every Signal.emit(),
so a process that published a few hundred events aborted ("bool_dealloc"). The pin to 6.11.3
fixes it; this runs 5,000 publications in a child process and expects it to live."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys
from pathlib import Path
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from app.events import AppStarted
m = bootstrap(AppConfig(data_dir=Path(sys.argv[1]), log_to_file=False), secrets=MemorySecretStore())
seen = []
m.bus.published.connect(seen.append)
for i in range(50):
    m.bus.publish_batch([AppStarted(version=str(i)) for _ in range(100)])
m.close()
print(len(seen))
"""


@pytest.mark.child_process
def test_thousands_of_emits_do_not_crash(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "5000"
