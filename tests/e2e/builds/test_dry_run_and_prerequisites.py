"""A dry run without a Google Play target, and deploy prerequisites, spend nothing.

Used to: ``build --dry-run`` (no play target) built for real and took a versionCode; a missing
adb was found only after a whole build, and every such attempt took another versionCode.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from tests.e2e.builds.test_builds_cli import _install_template


def _spent(cli: Any) -> list[Any]:
    res = cli("builds", "list", "--json")
    assert res.returncode == 0, res.stderr
    return list(json.loads(res.stdout))


def test_dry_run_without_play_says_what_would_happen_and_builds_nothing(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    _install_template(cli, data_dir, tmp_path, "cli-app")
    assert cli("keys", "create", "upload").returncode == 0
    dest = tmp_path / "release"
    res = cli("build", "cli-app", "--version", "1.2.0", "--deploy", f"folder:{dest}", "--dry-run")
    assert res.returncode == 0, res.stderr
    assert "dry run: would build cli-app 1.2.0 (apk, direct) as com.example.cliapp versionCode 10200" in res.stdout
    assert "signed with key 'upload'" in res.stdout and f"deployed to folder:{dest}" in res.stdout
    assert "nothing was built and no versionCode was spent" in res.stdout
    assert _spent(cli) == [] and not dest.exists()
    shown = json.loads(cli("--json", "build", "cli-app", "--version", "1.2.0", "--dry-run").stdout)
    assert shown["version_code"] == 10200 and shown["built"] is False and shown["steps"][-1] == "verify"


def test_a_missing_adb_is_named_before_anything_is_built(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    _install_template(cli, data_dir, tmp_path, "cli-app")
    assert cli("keys", "create", "upload").returncode == 0
    # PATH keeps every other tool but has no adb
    res = cli("build", "cli-app", "--version", "1.0.0", "--deploy", "adb", env={"PATH": _no_adb_path()})
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1].endswith("adb not found on PATH; install it with: sudo apt-get install adb")
    for _ in range(2):  # each failed attempt spends nothing
        cli("build", "cli-app", "--version", "1.0.0", "--deploy", "adb", env={"PATH": _no_adb_path()})
    assert _spent(cli) == []


def _no_adb_path() -> str:
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "adb").exists()]
    path = os.pathsep.join(dirs)
    assert shutil.which("adb", path=path) is None
    return path
