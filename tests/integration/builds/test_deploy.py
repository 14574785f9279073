"""Deploy targets: folder, adb (absent here), Google Play against a stand-in server on 127.0.0.1 that
follows the Android Publisher v3 edits API (see test_play_deploy.py); the upload-key fingerprint check."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.builds.model import BuildState
from app.errors import ToolError, UserError
from services.bootstrap import Services
from services.builds.service import BuildsService
from services.events.store import EventQuery
from tests.support.qasync_loop import build_ended


def test_folder_deploy_writes_artifact_checksum_and_metadata(builds: BuildsService, tmp_path: Path,
                                                             shared_keystore: Any) -> None:
    dest = tmp_path / "releases"
    done = build_ended(builds, builds.start_build("quotes-daily", "1.4.0", "apk", deploy=f"folder:{dest}").id, 90)
    assert done.state is BuildState.DEPLOYED, done.error
    artifact = dest / Path(done.artifact_path or "").name
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    assert (dest / f"{artifact.name}.sha256").read_text() == f"{digest}  {artifact.name}\n"
    meta = json.loads((dest / f"{artifact.name}.json").read_text())
    assert meta["version_name"] == "1.4.0" and meta["template_id"] == "quotes-daily"
    assert meta["fingerprint_sha256"] == shared_keystore.fingerprint and meta["sha256"] == digest
    assert done.deployments and done.deployments[0]["ok"] is True


def test_web_bundle_deploys_to_a_folder_during_the_build_and_afterwards(builds: BuildsService, tmp_path: Path) -> None:
    # a web bundle is never signed: it goes built -> deployed (this used to fail with
    # "a built build cannot become deployed" after the files had already been written)
    dest = tmp_path / "web"
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "web", deploy=f"folder:{dest}").id, 60)
    assert done.state is BuildState.DEPLOYED, done.error
    bundle = dest / Path(done.artifact_path or "").name
    assert bundle.is_file() and (dest / f"{bundle.name}.sha256").is_file()
    assert done.deployments and done.deployments[0]["ok"] is True
    plain = build_ended(builds, builds.start_build("quotes-daily", "1.0.1", "web").id, 60)
    assert plain.state is BuildState.BUILT, plain.error
    builds.deploy(plain.id, f"folder:{tmp_path / 'later'}")
    assert builds.get(plain.id).state is BuildState.DEPLOYED
    # a failed deploy leaves a good web bundle built, with the failed deployment recorded
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    third = build_ended(builds, builds.start_build("quotes-daily", "1.0.2", "web", deploy=f"folder:{blocker}").id, 60)
    assert third.state is BuildState.BUILT and third.artifact_path, third.error
    assert third.deployments and third.deployments[0]["ok"] is False


def test_deploy_refuses_a_fingerprint_that_is_not_the_upload_key(builds: BuildsService, services: Services,
                                                                 tmp_path: Path, other_keystore: Any) -> None:
    dest = tmp_path / "releases"
    info = builds.start_build("quotes-daily", "1.0.0", "apk", deploy=f"folder:{dest}",
                              expected_fingerprint=other_keystore.fingerprint)
    done = build_ended(builds, info.id, 90)
    # signed fine, but the deployment was refused and nothing was written
    assert done.state is BuildState.SIGNED
    assert done.error is not None and "refusing to deploy" in done.error
    assert not dest.exists()
    assert done.deployments and done.deployments[0]["ok"] is False
    failed = services.events.history(EventQuery(types=["build.deploy_failed"]))
    assert failed and failed[0].event.payload()["build_id"] == info.id
    # the same check on an explicit deploy, with the upload key registered in settings
    services.settings.update({"builds.upload_key.com_trendforge_quotes": other_keystore.fingerprint})
    with pytest.raises(UserError, match="refusing to deploy"):
        builds.deploy(info.id, f"folder:{dest}")
    assert not dest.exists()


def test_adb_absent_is_a_clear_error(builds: BuildsService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk").id, 90)
    assert done.state is BuildState.SIGNED
    if shutil.which("adb") is not None:  # pragma: no cover - this machine has no adb
        pytest.fail("this test expects a machine without adb")
    with pytest.raises(ToolError, match="adb not found on PATH; install it with: sudo apt-get install adb"):
        builds.deploy(done.id, "adb")
    assert builds.get(done.id).state is BuildState.SIGNED


def test_deploy_takes_a_unique_prefix_of_the_build_id(builds: BuildsService, tmp_path: Path) -> None:
    signed = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk").id, 90)
    assert signed.state is BuildState.SIGNED, signed.error
    builds.deploy(signed.id[:8], f"folder:{tmp_path / 'out'}")
    after = builds.get(signed.id)
    assert after.state is BuildState.DEPLOYED
    assert [d["ok"] for d in after.deployments] == [True]
