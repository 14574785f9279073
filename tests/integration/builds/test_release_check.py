"""The release check on real packages: facts read from the files, and a refused build that spends nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.store.check import ReleaseCheckError, Rule, Severity
from services.builds.models import BuildRecord, VersionCodeRecord
from services.builds.service import BuildsService
from tests.support.qasync_loop import build_ended

OWN_APP = Path(__file__).resolve().parents[2] / "data" / "templates" / "own-app" / "android"


def _rules(report: Any) -> dict[Rule, Severity]:
    return {p.rule: p.severity for p in report.problems}


def test_a_refused_check_spends_no_version_code(builds: BuildsService, package_factory: Any) -> None:
    package_factory("old-target", target_sdk=33, application_id="com.indie.oldtarget")
    with builds.ctx.new_uow() as uow:
        before = uow.session.get(VersionCodeRecord, "com.indie.oldtarget")
    with pytest.raises(ReleaseCheckError, match=r"^not ready for release: target_sdk: 33 is below"):
        builds.start_build("old-target", "1.0.0", "aab", deploy="play:internal")
    with builds.ctx.new_uow() as uow:
        assert uow.session.get(VersionCodeRecord, "com.indie.oldtarget") is before is None
        assert uow.session.query(BuildRecord).count() == 0


def test_warnings_let_the_build_go_and_are_recorded(builds: BuildsService, package_factory: Any) -> None:
    package_factory("sideload", target_sdk=33, application_id="com.indie.sideload")
    info = builds.start_build("sideload", "1.0.0", "apk")
    warnings = builds.last_release_warnings(info.id)
    assert [(p.rule, p.severity) for p in warnings] == [(Rule.TARGET_SDK, Severity.WARNING)]
    builds.cancel(info.id)


def test_web_ui_referencing_a_file_it_does_not_ship_blocks(builds: BuildsService, package_factory: Any) -> None:
    pkg = package_factory("half-web", application_id="com.indie.halfweb")
    (pkg / "web" / "app.js").unlink()
    report = builds.check_release("half-web", "apk")
    problems = [p for p in report.problems if p.rule is Rule.WEB_UI]
    assert [p.line() for p in problems] == [
        "blocker: web/index.html: references app.js, which the package does not ship; add it to web/"]
    with pytest.raises(ReleaseCheckError):
        builds.start_build("half-web", "1.0.0", "apk")


def test_web_ui_loading_a_remote_script_is_refused_for_the_runtime(builds: BuildsService, package_factory: Any) -> None:
    pkg = package_factory("remote-js", application_id="com.indie.remotejs")
    index = pkg / "web" / "index.html"
    index.write_text(index.read_text().replace("app.js", "https://cdn.example.net/app.js"))
    line = next(p.line() for p in builds.check_release("remote-js", "apk").problems if p.rule is Rule.WEB_UI)
    assert "loads https://cdn.example.net/app.js, which the app cannot fetch" in line


def test_a_non_square_icon_source_blocks(builds: BuildsService, package_factory: Any) -> None:
    pkg = package_factory("wide-icon", application_id="com.indie.wideicon")
    Image.new("RGBA", (800, 600), (10, 20, 30, 255)).save(pkg / "icon.png")
    problem = next(p for p in builds.check_release("wide-icon", "apk").problems if p.rule is Rule.ICON)
    assert problem.line() == ("blocker: branding.icon: icon.png is 800x600, not square; use a square PNG of at "
                              "least 512x512")


def test_own_manifest_without_exported_debuggable_and_permission(builds: BuildsService, package_factory: Any) -> None:
    pkg = package_factory("own-manifest", application_id="com.indie.ownmanifest")
    manifest = (OWN_APP / "AndroidManifest.xml").read_text()
    manifest = manifest.replace('android:exported="true"', "").replace(
        'android:allowBackup="false"', 'android:allowBackup="false" android:debuggable="true"').replace(
        "<application", '<uses-permission android:name="android.permission.CAMERA" />\n    <application')
    (pkg / "android").mkdir()
    (pkg / "android" / "AndroidManifest.xml").write_text(manifest)
    rules = _rules(builds.check_release("own-manifest", "aab", deploy="play:internal"))
    assert rules[Rule.EXPORTED] is Severity.BLOCKER
    assert rules[Rule.DEBUGGABLE] is Severity.BLOCKER
    assert rules[Rule.PERMISSIONS] is Severity.BLOCKER
    manifest_json = json.loads((pkg / "template.json").read_text())
    manifest_json["permission_reasons"] = {"android.permission.CAMERA": "Scan a friend's quote card"}
    (pkg / "template.json").write_text(json.dumps(manifest_json))
    assert Rule.PERMISSIONS not in _rules(builds.check_release("own-manifest", "aab", deploy="play:internal"))


def test_a_version_below_one_already_built_blocks(builds: BuildsService, package_factory: Any) -> None:
    package_factory("rising", application_id="com.indie.rising")
    done = build_ended(builds, builds.start_build("rising", "1.2.0", "apk").id, 180)
    assert done.state.value == "signed", done.error
    report = builds.check_release("rising", "apk", version="1.1.0")
    problem = next(p for p in report.problems if p.rule is Rule.VERSION_CODE)
    assert problem.line() == ("blocker: version: 1.1.0 is lower than 1.2.0, already built for com.indie.rising "
                              "(versionCode 10200); use a version above 1.2.0")
    assert Rule.VERSION_CODE not in _rules(builds.check_release("rising", "apk", version="1.2.0"))  # a rebuild
