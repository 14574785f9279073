"""End to end: each sample template into a signed APK and AAB through QProcess with the real tools,
checked independently (apksigner, aapt2 dump badging, pyaxmlparser, jarsigner, aapt2 convert)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pyaxmlparser import APK

from app.builds.model import BuildState
from app.errors import UserError
from services.bootstrap import Services
from services.builds.service import BuildsService
from services.events.store import EventQuery
from tests.support.builds_fixtures import SharedKey
from tests.support.qasync_loop import build_ended

SAMPLE_IDS = ("quotes-daily", "trivia-quiz", "wallpaper-pack")


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.mark.slow
@pytest.mark.parametrize("template_id", SAMPLE_IDS)
def test_sample_builds_into_verified_apk(builds: BuildsService, services: Services, template_id: str,
                                         shared_keystore: SharedKey) -> None:
    info = builds.start_build(template_id, "1.2.3", "apk", key_alias="upload",
                              application_id=f"com.example.white.{template_id.replace('-', '')}",
                              app_name=f"White {template_id}")
    done = build_ended(builds, info.id, 180)
    assert done.state is BuildState.SIGNED, done.error
    apk = Path(done.artifact_path or "")
    assert apk.is_file() and apk.suffix == ".apk"
    assert done.fingerprint == shared_keystore.fingerprint
    assert done.version_code == 10203 and done.duration_s and done.duration_s > 0

    verify = run("apksigner", "verify", "--verbose", "--print-certs", str(apk))
    for scheme in (1, 2, 3):
        assert f"Verified using v{scheme} scheme" in verify and f"v{scheme} scheme" in verify
        assert any(line.startswith(f"Verified using v{scheme}") and line.endswith("true") for line in verify.splitlines())
    assert f"SHA-256 digest: {shared_keystore.fingerprint}" in verify
    run("zipalign", "-c", "-p", "4", str(apk))

    badging = run("aapt2", "dump", "badging", str(apk))
    app_id = f"com.example.white.{template_id.replace('-', '')}"
    assert f"package: name='{app_id}' versionCode='10203' versionName='1.2.3'" in badging
    assert f"application-label:'White {template_id}'" in badging
    assert "launchable-activity: name='com.trendforge.runtime.MainActivity'" in badging

    parsed = APK(str(apk))  # an independent Python parser agrees
    assert parsed.package == app_id
    assert parsed.version_code == "10203" and parsed.version_name == "1.2.3"
    assert parsed.application == f"White {template_id}"

    with zipfile.ZipFile(apk) as zf:
        dex = zf.getinfo("classes.dex")
        assert dex.compress_type == zipfile.ZIP_STORED and zf.read("classes.dex")[:4] == b"dex\n"
        content = json.loads(zf.read("assets/content.json"))
    assert content == builds.templates.get(template_id).content

    # persisted states and published events, in order, for this build
    types = [e.event.type for e in reversed(services.events.history(EventQuery(types=["build.*"], limit=1000))) if e.event.payload().get("build_id") == info.id]
    assert types[0] == "build.queued" and types[1] == "build.started"
    assert "build.succeeded" in types and types[-1] == "build.signed"
    assert types.index("build.succeeded") < types.index("build.signed")
    # the log is persisted, the workspace is gone, no secret anywhere in the log
    log_text = Path(done.log_path or "").read_text()
    assert "aapt2" in log_text and "apksigner" in log_text
    assert shared_keystore.password not in log_text
    assert not (apk.parent.parent / "work").exists()


@pytest.mark.slow
@pytest.mark.parametrize("template_id", SAMPLE_IDS)
def test_sample_builds_into_signed_aab(builds: BuildsService, template_id: str, shared_keystore: SharedKey,
                                       tmp_path: Path) -> None:
    info = builds.start_build(template_id, "2.0.1", "aab", key_alias="upload")
    done = build_ended(builds, info.id, 180)
    assert done.state is BuildState.SIGNED, done.error
    aab = Path(done.artifact_path or "")
    assert aab.suffix == ".aab" and done.fingerprint == shared_keystore.fingerprint
    out = subprocess.run(["jarsigner", "-verify", str(aab)], capture_output=True, text=True, timeout=120)
    assert "jar verified" in out.stdout
    with zipfile.ZipFile(aab) as zf:
        names = set(zf.namelist())
        assert {"BundleConfig.pb", "base/manifest/AndroidManifest.xml", "base/resources.pb", "base/dex/classes.dex",
                "base/assets/content.json"} <= names
        assert {"base/assets/web/index.html", "base/assets/web/content.json", "base/assets/web/app.json",
                "base/res/mipmap-anydpi-v26/ic_launcher.xml"} <= names
        # the base module back as a proto APK, converted to binary: it is sound
        proto = tmp_path / "base-proto.apk"
        with zipfile.ZipFile(proto, "w") as pz:
            pz.writestr("AndroidManifest.xml", zf.read("base/manifest/AndroidManifest.xml"))
            pz.writestr("resources.pb", zf.read("base/resources.pb"))
            for n in names:
                if n.startswith(("base/res/", "base/assets/")):
                    pz.writestr(n[len("base/"):], zf.read(n))
    binary = tmp_path / "base-binary.apk"
    run("aapt2", "convert", "--output-format", "binary", "-o", str(binary), str(proto))
    badging = run("aapt2", "dump", "badging", str(binary))
    app_id = builds.templates.get(template_id).application_id
    assert f"package: name='{app_id}' versionCode='20001' versionName='2.0.1'" in badging
    assert "targetSdkVersion:'36'" in badging


def test_web_bundle_unzips_to_the_assets(builds: BuildsService, tmp_path: Path) -> None:
    info = builds.start_build("quotes-daily", "1.0.0", "web")
    done = build_ended(builds, info.id, 60)
    assert done.state is BuildState.BUILT and done.finished_at is not None, done.error
    target = tmp_path / "unzipped"
    with zipfile.ZipFile(done.artifact_path or "") as zf:
        zf.extractall(target)
    assert (target / "index.html").read_text().startswith("<!doctype html>")
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["version_name"] == "1.0.0" and manifest["template_id"] == "quotes-daily"
    assert set(manifest["files"]) == {"index.html", "style.css", "app.js"}
    assert json.loads((target / "content.json").read_text()) == builds.templates.get("quotes-daily").content
    assert json.loads((target / "app.json").read_text())["app_name"] == "Quotes Daily"
    assert [s.success_rate for s in builds.stats() if s.platform == "web"] == [1.0]
    # a finished web build is not mistaken for one interrupted by a crash of its (now gone) process
    from services.builds.models import BuildRecord

    with builds.ctx.new_uow() as uow:
        rec = uow.session.get(BuildRecord, done.id)
        assert rec is not None
        rec.options = {**rec.options, "pid": 2**22 + 12345}  # no such process
        uow.commit()
    assert builds.recover_interrupted() == 0
    assert builds.get(done.id).state is BuildState.BUILT
    with pytest.raises(UserError, match="already built"):
        builds.cancel(done.id)
    # the figures the templates area shows per template
    figures = builds.template_stats(["quotes-daily", "trivia-quiz"])
    assert list(figures) == ["quotes-daily"]
    assert figures["quotes-daily"]["builds"] == 1 and figures["quotes-daily"]["build_success_rate"] == 1.0
    assert figures["quotes-daily"]["last_activity"] == done.created_at


def test_archived_templates_are_not_built(builds: BuildsService, package_factory: Any) -> None:
    package_factory("old-app", status="archived")
    with pytest.raises(UserError, match="archived; restore it"):
        builds.start_build("old-app", "1.0.0", "apk")
    assert builds.list_builds() == []
