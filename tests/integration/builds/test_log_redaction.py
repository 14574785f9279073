"""A tool's output that quotes a secret the store knows: build.log, the build's error and its events
hold it masked (services.redaction; here the secret sits in a file name aapt2 quotes)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.builds.model import BuildState
from app.redact import MASK
from services.bootstrap import Services
from services.builds.service import BuildsService
from tests.support.qasync_loop import build_ended

SECRET = "tfsecretvalue_0123456789abcdef"
RUNTIME = Path(__file__).resolve().parents[3] / "resources" / "runtime" / "android"


def test_a_secret_in_tool_output_is_masked_everywhere(builds: BuildsService, services: Services,
                                                       package_factory: Any) -> None:
    services.ctx.secrets.set("provider:itch", SECRET)
    pkg = package_factory("leaky-app")
    # the package brings its own Android project (the runtime's, copied) so aapt2 compiles its resources
    shutil.copytree(RUNTIME, pkg / "android", dirs_exist_ok=True)
    (pkg / "android" / "res" / "layout").mkdir(parents=True, exist_ok=True)
    (pkg / "android" / "res" / "layout" / f"broken_{SECRET}.xml").write_text("<LinearLayout><TextView></LinearLayout>\n")
    done = build_ended(builds, builds.start_build("leaky-app", "1.0.0", "apk").id, 60)
    assert done.state is BuildState.FAILED
    log_text = Path(done.log_path or "").read_text()
    assert f"broken_{MASK}" in log_text and SECRET not in log_text
    assert done.error is not None and SECRET not in done.error
    with services.ctx.engine.connect() as conn:
        stored = " ".join(str(tuple(r)) for table in ("builds", "events")
                          for r in conn.execute(text(f"SELECT * FROM {table}")))
    assert "aapt2" in stored and SECRET not in stored
