"""The Gradle backend. No Android Gradle plugin can run on this machine (see the toolchain reference),
so the project's ``gradlew`` here is a stand-in script: it replays a REAL Gradle console log from
shared/data/gradle-logs and writes an unsigned artifact where the Android plugin would. Everything
after it (parsing, artifact discovery, zipalign, apksigner/jarsigner, verification) is real."""

from __future__ import annotations

import dataclasses
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.builds.model import Backend, BuildState
from services.builds.service import BuildsService
from tests.support.qasync_loop import build_ended

LOGS = Path(__file__).resolve().parents[2] / "data" / "gradle-logs"

FAKE_GRADLEW = """#!/bin/bash
# stand-in for a Gradle wrapper: replays a real log, records its arguments, writes an artifact
printf '%s\\n' "$@" > "$FAKE_ARGS"
case "$FAKE_LOG" in *.gz) zcat "$FAKE_LOG" ;; *) cat "$FAKE_LOG" ;; esac
if [ "${FAKE_EXIT:-0}" != 0 ]; then exit "$FAKE_EXIT"; fi
case "$1" in
  assembleRelease) mkdir -p app/build/outputs/apk/release
                   cp "$FAKE_ARTIFACT" app/build/outputs/apk/release/app-release-unsigned.apk
                   echo '{"version": 3}' > app/build/outputs/apk/release/output-metadata.json ;;
  bundleRelease) mkdir -p app/build/outputs/bundle/release
                 cp "$FAKE_BUNDLE" app/build/outputs/bundle/release/app-release.aab ;;
esac
"""


@pytest.fixture(scope="module")
def unsigned_apk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An unsigned APK made with the real tools, as a Gradle build would leave it."""
    root = Path(__file__).resolve().parents[3] / "tests" / "data" / "templates" / "own-app" / "android"
    out = tmp_path_factory.mktemp("gradle-artifact")
    fw = "/usr/share/android-framework-res/framework-res.apk"
    subprocess.run(["aapt2", "compile", "--dir", str(root / "res"), "-o", str(out / "res.zip")], check=True)
    subprocess.run(["aapt2", "link", "-I", fw, "--manifest", str(root / "AndroidManifest.xml"),
                    "--rename-manifest-package", "com.example.gradle", "-o", str(out / "app.apk"),
                    str(out / "res.zip")], check=True)
    subprocess.run(["smali", "assemble", "-o", str(out / "classes.dex"), str(root / "smali")], check=True)
    with zipfile.ZipFile(out / "app.apk", "a") as zf:
        zf.write(out / "classes.dex", "classes.dex", compress_type=zipfile.ZIP_STORED)
    return out / "app.apk"


@pytest.fixture
def gradle_app(package_factory: Any, tmp_path: Path, unsigned_apk: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pkg: Path = package_factory("gradle-app", application_id="com.example.gradle")
    wrapper = pkg / "android" / "gradlew"
    wrapper.parent.mkdir()
    wrapper.write_text(FAKE_GRADLEW)
    wrapper.chmod(0o755)
    monkeypatch.setenv("FAKE_ARGS", str(tmp_path / "args.txt"))
    monkeypatch.setenv("FAKE_ARTIFACT", str(unsigned_apk))
    return tmp_path / "args.txt"


def test_gradle_success_replaying_the_agp_log(builds: BuildsService, gradle_app: Path,
                                              monkeypatch: pytest.MonkeyPatch, shared_keystore: Any,
                                              qtbot: Any) -> None:
    monkeypatch.setenv("FAKE_LOG", str(LOGS / "agp-assemble-success.log"))
    steps: list[tuple[str, float]] = []
    builds.runner.progressed.connect(lambda _id, step, pct: steps.append((step, pct)))
    info = builds.start_build("gradle-app", "3.1.4", "apk")
    assert info.backend is Backend.GRADLE
    done = build_ended(builds, info.id, 60)
    assert done.state is BuildState.SIGNED, done.error
    assert done.fingerprint == shared_keystore.fingerprint
    args = gradle_app.read_text().splitlines()
    assert args[:2] == ["assembleRelease", "--console=plain"]
    assert "-PversionName=3.1.4" in args and f"-PversionCode={done.version_code}" in args
    assert "-PapplicationId=com.example.gradle" in args
    assert not any("pass" in a.lower() for a in args)  # no secret on the command line
    verify = subprocess.run(["apksigner", "verify", str(done.artifact_path)], capture_output=True, text=True)
    assert verify.returncode == 0
    assert any(step == "gradle" for step, _ in steps)
    pct = [p for _s, p in steps]
    assert pct == sorted(pct)
    log_text = Path(done.log_path or "").read_text()
    assert "> Task :app:assembleRelease" in log_text and "BUILD SUCCESSFUL in 1m 58s" in log_text
    # the task count is remembered, so the next build's percentage has a real total, and its ETA a history
    tasks = sum(1 for line in (LOGS / "agp-assemble-success.log").read_text().splitlines() if line.startswith("> Task"))
    assert builds._expected_gradle_tasks("gradle-app", done.platform) == tasks
    assert builds.past_durations("gradle-app", "apk") == [pytest.approx(done.duration_s)]
    running = dataclasses.replace(done, state=BuildState.RUNNING, finished_at=None, percent=10.0)
    elapsed, eta = builds.eta(running, now=done.started_at + timedelta(seconds=0.1) if done.started_at else None)
    assert elapsed == pytest.approx(0.1) and eta == pytest.approx((done.duration_s or 0) - 0.1)


def test_gradle_failure_keeps_the_whole_noisy_log(builds: BuildsService, gradle_app: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LOG", str(LOGS / "gradle4-android-failed-noisy.log.gz"))
    monkeypatch.setenv("FAKE_EXIT", "1")
    done = build_ended(builds, builds.start_build("gradle-app", "1.0.0", "apk").id, 60)
    assert done.state is BuildState.FAILED
    assert done.error is not None
    assert "gradle assembleRelease failed (exit 1)" in done.error
    assert "Execution failed for task ':app:mergeDebugResources'." in done.error
    log_lines = Path(done.log_path or "").read_text().splitlines()
    assert len(log_lines) > 18_500  # the full flood is kept on disk
    assert "BUILD FAILED in 5s" in log_lines
    assert not (Path(done.log_path or "").parent / "work").exists()
    assert not (Path(done.log_path or "").parent / "out").exists()


def test_gradle_success_but_no_artifact_is_a_clear_failure(builds: BuildsService, gradle_app: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LOG", str(LOGS / "gradle4-android-success-noisy.log.gz"))
    monkeypatch.setenv("FAKE_ARTIFACT", "/nonexistent.apk")
    done = build_ended(builds, builds.start_build("gradle-app", "1.0.0", "apk").id, 60)
    assert done.state is BuildState.FAILED
    assert done.error is not None and "left no .apk under" in done.error
