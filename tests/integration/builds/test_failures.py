"""Failure paths with real tools: missing tool, failing tool, wrong password, cancel, queue, retry."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.builds.model import BuildState
from app.errors import ConflictError, UserError
from services.bootstrap import Services
from services.builds.service import BuildsService
from tests.support.qasync_loop import app_loop, build_ended, run_on
from tests.support.store_dump import stored_bytes


def test_missing_tool_names_the_debian_package(builds: BuildsService, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # a PATH with aapt2 but without smali: the build gets through compile and link, then stops clearly
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "aapt2").symlink_to(shutil.which("aapt2") or "/usr/bin/aapt2")
    monkeypatch.setenv("PATH", str(bindir))
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk").id, 60)
    assert done.state is BuildState.FAILED
    assert done.error == "assemble dex: smali not found on PATH; install it with: sudo apt-get install libsmali-java"
    assert done.artifact_path is None
    log_text = Path(done.log_path or "").read_text()
    assert "aapt2 link" in log_text and "FAILED: assemble dex" in log_text
    assert not (Path(done.log_path or "").parent / "work").exists()  # the workspace is cleaned


def test_failing_tool_surfaces_its_message(builds: BuildsService, package_factory: Any) -> None:
    pkg = package_factory("broken-app")
    (pkg / "android" / "res" / "layout").mkdir(parents=True)
    (pkg / "android" / "res" / "layout" / "broken.xml").write_text("<LinearLayout><TextView></LinearLayout>\n")
    done = build_ended(builds, builds.start_build("broken-app", "1.0.0", "apk").id, 60)
    assert done.state is BuildState.FAILED
    assert done.error is not None
    assert done.error.startswith("compile resources: aapt2 exited with code 1:")
    assert "broken.xml" in done.error  # aapt2's own message, not a generic one
    assert "broken.xml" in Path(done.log_path or "").read_text()
    assert done.step == "compile resources"


def test_wrong_keystore_password(builds: BuildsService, services: Services, shared_keystore: Any,
                                 tmp_path: Path) -> None:
    with pytest.raises(UserError, match="wrong password for keystore"):
        builds.import_key("bad", shared_keystore.path, "not-the-password")
    assert "bad" not in [k.alias for k in builds.list_keys()]
    assert services.ctx.secrets.get(builds.passwords.name("bad")) is None
    # the keyring holds a stale password: apksigner's refusal is the build's error
    services.ctx.secrets.set(builds.passwords.name("upload"), "stale-password-123")
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk", key_alias="upload").id, 60)
    assert done.state is BuildState.FAILED
    assert done.error is not None and done.error.startswith("sign: apksigner exited with code")
    assert "password" in done.error.lower()
    assert "stale-password-123" not in Path(done.log_path or "").read_text()


def test_keys_create_stores_password_only_in_the_secret_store(builds: BuildsService, services: Services) -> None:
    key = builds.create_key("fresh", dname="CN=Fresh Key, O=Tests, C=DE")
    password = services.ctx.secrets.get(builds.passwords.name("fresh"))
    assert password is not None and len(password) >= 32
    assert len(key.fingerprint_sha256) == 64 and "CN=Fresh Key" in key.subject
    assert Path(key.keystore_path).stat().st_mode & 0o077 == 0
    db_bytes = stored_bytes(services)
    assert password.encode() not in db_bytes
    with pytest.raises(ConflictError):
        builds.create_key("fresh")
    with pytest.raises(UserError, match="invalid key alias"):
        builds.create_key("Has Space")
    # a build with the new key is signed by it
    done = build_ended(builds, builds.start_build("trivia-quiz", "1.0.0", "apk", key_alias="fresh").id, 60)
    assert done.state is BuildState.SIGNED and done.fingerprint == key.fingerprint_sha256


def _fake_gradle_project(pkg: Path, script: str) -> None:
    wrapper = pkg / "android" / "gradlew"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(script)
    wrapper.chmod(0o755)


# A stand-in for a Gradle wrapper (no Android Gradle plugin can run here): it starts a child and a
# grandchild that would outlive a naive kill, and records their pids.
SLOW_GRADLEW = """#!/bin/bash
echo "> Task :app:preBuild UP-TO-DATE"
sleep 300 &
echo $! > "$PIDS_FILE"
bash -c 'sleep 300 & echo $! >> "$PIDS_FILE"; wait' &
echo $! >> "$PIDS_FILE"
echo $$ >> "$PIDS_FILE"
echo "> Task :app:compileReleaseJavaWithJavac"
wait
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie counts as gone
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_cancel_mid_build_kills_the_whole_tree(builds: BuildsService, package_factory: Any, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, qtbot: Any) -> None:
    pids_file = tmp_path / "pids"
    monkeypatch.setenv("PIDS_FILE", str(pids_file))
    pkg = package_factory("slow-app")
    _fake_gradle_project(pkg, SLOW_GRADLEW)
    info = builds.start_build("slow-app", "1.0.0", "apk")
    assert info.backend.value == "gradle"
    qtbot.waitUntil(lambda: pids_file.exists() and len(pids_file.read_text().split()) >= 4, timeout=20_000)
    qtbot.waitUntil(lambda: builds.get(info.id).step == "gradle", timeout=10_000)
    pids = [int(p) for p in pids_file.read_text().split()]
    assert all(_alive(p) for p in pids)
    with qtbot.waitSignal(builds.runner.job_finished, timeout=10_000):
        builds.cancel(info.id)
    done = builds.get(info.id)
    assert done.state is BuildState.CANCELLED and done.finished_at is not None
    qtbot.waitUntil(lambda: not any(_alive(p) for p in pids), timeout=5_000)
    assert not (Path(done.log_path or "").parent / "work").exists()
    with pytest.raises(ConflictError, match="already cancelled"):
        builds.cancel(info.id)


def test_concurrency_limit_queues_and_queued_builds_cancel(builds: BuildsService, package_factory: Any,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           qtbot: Any) -> None:
    monkeypatch.setenv("PIDS_FILE", str(tmp_path / "pids"))
    pkg = package_factory("slow-app")
    _fake_gradle_project(pkg, SLOW_GRADLEW)
    builds.set_concurrency(1)
    first = builds.start_build("slow-app", "1.0.0", "apk")
    second = builds.start_build("slow-app", "1.0.1", "apk")
    qtbot.waitUntil(lambda: builds.get(first.id).state is BuildState.RUNNING, timeout=10_000)
    assert builds.runner.queued_ids() == [second.id]
    assert builds.get(second.id).state is BuildState.QUEUED
    builds.cancel(second.id)
    assert builds.get(second.id).state is BuildState.CANCELLED
    with qtbot.waitSignal(builds.runner.job_finished, timeout=10_000):
        builds.cancel(first.id)
    assert builds.get(first.id).state is BuildState.CANCELLED


def test_retry_reruns_a_failed_build_with_a_higher_version_code(builds: BuildsService, package_factory: Any) -> None:
    pkg = package_factory("flaky-app")
    broken = pkg / "android" / "res" / "layout" / "broken.xml"  # over the runtime's resources
    broken.parent.mkdir(parents=True)
    broken.write_text("<oops")
    failed = build_ended(builds, builds.start_build("flaky-app", "1.0.0", "apk").id, 60)
    assert failed.state is BuildState.FAILED
    broken.unlink()  # the user fixes the template
    again = build_ended(builds, builds.retry(failed.id).id, 60)
    assert again.state is BuildState.SIGNED and again.retry_of == failed.id
    assert again.version_code > failed.version_code
    with pytest.raises(UserError, match="only failed or cancelled"):
        builds.retry(again.id)


def test_closing_cancels_running_builds_and_kills_their_tools(builds: BuildsService, services: Services,
                                                              package_factory: Any, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, qtbot: Any, qapp: Any) -> None:
    pids_file = tmp_path / "pids"
    monkeypatch.setenv("PIDS_FILE", str(pids_file))
    _fake_gradle_project(package_factory("slow-app"), SLOW_GRADLEW)
    info = builds.start_build("slow-app", "1.0.0", "apk")
    qtbot.waitUntil(lambda: pids_file.exists() and len(pids_file.read_text().split()) >= 4, timeout=20_000)
    pids = [int(p) for p in pids_file.read_text().split()]
    with app_loop(qapp) as loop:
        run_on(loop, services.stop())  # what closing the app runs on its loop before Services.close
    assert builds.get(info.id).state is BuildState.CANCELLED
    qtbot.waitUntil(lambda: not any(_alive(p) for p in pids), timeout=5_000)


def test_a_build_started_from_a_worker_thread_runs_on_the_qt_thread(builds: BuildsService) -> None:
    import threading

    started: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:  # e.g. a workflow step running off the GUI thread
        try:
            started.append(builds.start_build("wallpaper-pack", "1.0.0", "apk"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join(30)
    assert not errors and started
    done = build_ended(builds, started[0].id, 90)
    assert done.state is BuildState.SIGNED, done.error


def test_builds_left_running_by_a_dead_process_become_failed(builds: BuildsService, services: Services) -> None:
    from services.builds.models import BuildRecord

    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "web").id, 60)
    with builds.ctx.new_uow() as uow:  # as a crash would have left it
        rec = uow.session.get(BuildRecord, done.id)
        assert rec is not None
        rec.state, rec.finished_at = "running", None
        rec.options = {**rec.options, "pid": 2**22 + 12345}
        uow.commit()
    work = builds.builds_dir / done.id / "work"
    work.mkdir(parents=True)
    assert builds.recover_interrupted() == 1
    after = builds.get(done.id)
    assert after.state is BuildState.FAILED and after.error == "interrupted: TrendForge stopped during the build"
    assert not work.exists()
