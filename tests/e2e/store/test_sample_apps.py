"""Each sample app, built from the CLI as a new user would (templates import, keys create, build), is a
store-ready package: white-labelled id and label, targetSdkVersion 36, a launcher icon for every density,
signatures that verify, the runtime's classes in its dex, the web UI and the content inside."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"
SAMPLE_IDS = ("quotes-daily", "trivia-quiz", "wallpaper-pack")
DENSITIES = ("mdpi", "hdpi", "xhdpi", "xxhdpi", "xxxhdpi")
RUNTIME_CLASSES = ("MainActivity", "AssetClient", "InsetsListener", "BackCallback")


def run(*args: str) -> str:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{args[0]} failed: {done.stdout[-800:]} {done.stderr[-800:]}"
    return done.stdout


def _build(cli: Any, template_id: str, platform: str, tmp_path: Path) -> Path:
    """The sample white-labelled by a maker (own name and application id), imported, built, deployed."""
    pkg = tmp_path / "pkg" / template_id
    shutil.copytree(SAMPLES / template_id, pkg, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    manifest = json.loads((pkg / "template.json").read_text())
    manifest.update(app_name=f"My {template_id}", application_id=f"com.example.store.{template_id.replace('-', '')}")
    (pkg / "template.json").write_text(json.dumps(manifest))
    res = cli("templates", "import", str(pkg))
    assert res.returncode == 0, res.stderr
    res = cli("keys", "create", "upload", "--dname", "CN=Sample Test, O=TrendForge, C=US")
    assert res.returncode == 0, res.stderr
    dest = tmp_path / "out"
    res = cli("build", template_id, "--version", "1.4.2", "--platform", platform, "--key", "upload",
              "--deploy", f"folder:{dest}", timeout=300)
    assert res.returncode == 0, res.stderr
    return next(dest.glob(f"*.{platform}"))


def _check_badging(badging: str, template_id: str) -> None:
    app_id = f"com.example.store.{template_id.replace('-', '')}"
    assert f"package: name='{app_id}' versionCode='10402' versionName='1.4.2'" in badging
    assert f"application-label:'My {template_id}'" in badging
    assert "targetSdkVersion:'36'" in badging
    assert "sdkVersion:'23'" in badging
    assert "launchable-activity: name='com.trendforge.runtime.MainActivity'" in badging
    for dpi in (160, 240, 320, 480, 640):
        assert re.search(rf"application-icon-{dpi}:'res/mipmap-[a-z]+-v4/ic_launcher\.png'|"
                         rf"application-icon-{dpi}:'res/mipmap-anydpi-v26/ic_launcher\.xml'", badging), dpi


def _check_dex(dex: bytes, tmp_path: Path) -> None:
    path = tmp_path / "classes.dex"
    path.write_bytes(dex)
    dump = run("dexdump", str(path))
    for name in RUNTIME_CLASSES:
        assert f"Class descriptor  : 'Lcom/trendforge/runtime/{name};'" in dump


def _check_payload(names: set[str], read: Any, prefix: str, template_id: str) -> None:
    for f in ("index.html", "app.js", "style.css", "content.json", "app.json"):
        assert f"{prefix}assets/web/{f}" in names, f
    for d in DENSITIES:
        assert f"{prefix}res/mipmap-{d}-v4/ic_launcher.png" in names
        assert f"{prefix}res/mipmap-{d}-v4/ic_launcher_foreground.png" in names
    assert f"{prefix}res/mipmap-anydpi-v26/ic_launcher.xml" in names
    expected = json.loads((SAMPLES / template_id / "template.json").read_text())["content"]
    assert json.loads(read(f"{prefix}assets/web/content.json")) == expected
    assert json.loads(read(f"{prefix}assets/web/app.json"))["app_name"] == f"My {template_id}"


@pytest.mark.slow
@pytest.mark.parametrize("template_id", SAMPLE_IDS)
def test_sample_apk_is_store_ready(cli: Any, tmp_path: Path, template_id: str) -> None:
    apk = _build(cli, template_id, "apk", tmp_path)
    _check_badging(run("aapt2", "dump", "badging", str(apk)), template_id)
    verify = run("apksigner", "verify", "--verbose", "--print-certs", str(apk))
    assert "Verifies" in verify and "Verified using v2 scheme (APK Signature Scheme v2): true" in verify
    assert "jar verified" in run("jarsigner", "-verify", str(apk))
    with zipfile.ZipFile(apk) as zf:
        names = set(zf.namelist())
        _check_payload(names, zf.read, "", template_id)
        _check_dex(zf.read("classes.dex"), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("template_id", SAMPLE_IDS)
def test_sample_aab_is_store_ready(cli: Any, tmp_path: Path, template_id: str) -> None:
    aab = _build(cli, template_id, "aab", tmp_path)
    assert "jar verified" in run("jarsigner", "-verify", str(aab))
    proto = tmp_path / "base-proto.apk"
    with zipfile.ZipFile(aab) as zf:
        names = set(zf.namelist())
        _check_payload(names, zf.read, "base/", template_id)
        _check_dex(zf.read("base/dex/classes.dex"), tmp_path)
        with zipfile.ZipFile(proto, "w") as pz:  # the base module back as an APK, to read its badging
            pz.writestr("AndroidManifest.xml", zf.read("base/manifest/AndroidManifest.xml"))
            pz.writestr("resources.pb", zf.read("base/resources.pb"))
            for n in names:
                if n.startswith(("base/res/", "base/assets/")):
                    pz.writestr(n[len("base/"):], zf.read(n))
    binary = tmp_path / "base-binary.apk"
    run("aapt2", "convert", "--output-format", "binary", "-o", str(binary), str(proto))
    _check_badging(run("aapt2", "dump", "badging", str(binary)), template_id)
    # apksigner refuses bundles; the signature of an AAB is the JAR signature checked above
