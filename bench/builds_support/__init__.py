"""Shared set-up of the builds benchmarks: a whole app on a temp dir with one template and one key."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"
FRAMEWORK = "/usr/share/android-framework-res/framework-res.apk"


def make_app(tmp: Path, gradlew: str | None = None) -> Any:
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.secrets import MemorySecretStore

    home = tmp / "home"
    pkg = tmp / "package" / "quotes-daily"
    shutil.copytree(SAMPLE, pkg)
    if gradlew is not None:
        (pkg / "android" / "gradlew").write_text(gradlew)
        (pkg / "android" / "gradlew").chmod(0o755)
    config = AppConfig.from_env(home)
    config.log_to_file = False
    manager = bootstrap(config, secrets=MemorySecretStore())
    manager.templates.import_path(pkg)
    manager.builds.create_key("bench", dname="CN=Bench, O=TrendForge, C=US")
    return manager


def unsigned_apk(out: Path) -> Path:
    android = SAMPLE / "android"
    subprocess.run(["aapt2", "compile", "--dir", str(android / "res"), "-o", str(out / "res.zip")], check=True)
    subprocess.run(["aapt2", "link", "-I", FRAMEWORK, "--manifest", str(android / "AndroidManifest.xml"),
                    "-o", str(out / "app.apk"), str(out / "res.zip")], check=True)
    subprocess.run(["smali", "assemble", "-o", str(out / "classes.dex"), str(android / "smali")], check=True)
    with zipfile.ZipFile(out / "app.apk", "a") as zf:
        zf.write(out / "classes.dex", "classes.dex", compress_type=zipfile.ZIP_STORED)
    return out / "app.apk"


def tempdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="tf-bench-builds-"))
