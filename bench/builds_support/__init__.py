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
        (pkg / "android").mkdir(exist_ok=True)
        (pkg / "android" / "gradlew").write_text(gradlew)
        (pkg / "android" / "gradlew").chmod(0o755)
    config = AppConfig.from_env(home)
    config.log_to_file = False
    manager = bootstrap(config, secrets=MemorySecretStore())
    manager.templates.import_path(pkg)
    manager.builds.create_key("bench", dname="CN=Bench, O=TrendForge, C=US")
    return manager


def prepared_android(manager: Any, out: Path) -> Path:
    """The Android sources the direct pipeline lays out for the sample (the shared runtime, its web app and
    content, launcher icons), prepared once so a baseline runs the same tools on the same files."""
    from services.builds import packaging
    from services.builds.templates_port import BuildTemplate

    t = BuildTemplate.from_package(manager.templates.get("quotes-daily"), SAMPLE)
    return packaging.prepare_android_sources(SAMPLE, out, t.app_name, t.content, t.branding)


def unsigned_apk(out: Path, android: Path) -> Path:
    subprocess.run(["aapt2", "compile", "--dir", str(android / "res"), "-o", str(out / "res.zip")], check=True)
    subprocess.run(["aapt2", "link", "-I", FRAMEWORK, "--manifest", str(android / "AndroidManifest.xml"),
                    "-o", str(out / "app.apk"), str(out / "res.zip")], check=True)
    subprocess.run(["smali", "assemble", "-o", str(out / "classes.dex"), str(android / "smali")], check=True)
    with zipfile.ZipFile(out / "app.apk", "a") as zf:
        zf.write(out / "classes.dex", "classes.dex", compress_type=zipfile.ZIP_STORED)
    return out / "app.apk"


def tempdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="tf-bench-builds-"))
