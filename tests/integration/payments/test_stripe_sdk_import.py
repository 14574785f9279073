"""A Stripe sync does not load ``requests``: the SDK's default blocking client, which TrendForge never
uses (every client it builds gets the app's HTTPX client), is not picked at the SDK's import.

A fresh interpreter, since this test session may have loaded requests already; it syncs from
localstripe on 127.0.0.1 with the app's own payments service.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import payments_standins as standins

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
import json, sys
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
secrets = MemorySecretStore()
secrets.set("provider:stripe", sys.argv[2])
c = AppConfig.from_env(sys.argv[1])
c.log_to_file = False
s = bootstrap(c, secrets=secrets)
[report] = s.payments.sync("stripe")
loaded = sorted(m for m in ("requests", "urllib3", "charset_normalizer") if m in sys.modules)
print(json.dumps({"error": report.error, "stripe": "stripe" in sys.modules, "loaded": loaded}))
s.close()
"""


@pytest.mark.child_process
def test_a_stripe_sync_does_not_load_requests(tmp_path: Path, localstripe_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    env["TRENDFORGE_STRIPE_BASE_URL"] = localstripe_url
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "data"), standins.STRIPE_KEY], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"error": None, "stripe": True, "loaded": []}
