"""The XML parser (defusedxml) is loaded when XML is read (a trends fetch, a build, a release check), not
with the areas that read it: a started app whose every area is built does not load it.

A fresh interpreter, since this test session has loaded defusedxml already.
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
import json, sys
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
import services.builds.packaging, services.store.release, services.trends.sources
c = AppConfig.from_env(sys.argv[1])
c.log_to_file = False
s = bootstrap(c, secrets=MemorySecretStore())
s.build_all()
print(json.dumps({"defusedxml": "defusedxml" in sys.modules}))
s.close()
"""


@pytest.mark.child_process
def test_a_started_app_with_every_area_built_does_not_load_the_xml_parser(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "data")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"defusedxml": False}
