"""Artifacts stay on the machine that built them; the build record names that machine and the artifact's sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.builds.model import BuildState
from services.builds.service import BuildsService
from tests.support.qasync_loop import build_ended


def test_a_signed_build_records_its_artifacts_sha256_and_host(builds: BuildsService) -> None:
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk", key_alias="upload").id, 90)
    assert done.state is BuildState.SIGNED, done.error
    artifact = Path(done.artifact_path or "")
    assert done.artifact_sha256 == hashlib.sha256(artifact.read_bytes()).hexdigest()
    assert done.host == builds.leases.host and done.to_dict()["host"] == done.host


def test_a_web_bundle_records_its_sha256(builds: BuildsService) -> None:
    done = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "web").id, 90)
    assert done.artifact_sha256 == hashlib.sha256(Path(done.artifact_path or "").read_bytes()).hexdigest()
