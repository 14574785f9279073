"""app.builds.deployment: what a deploy reports, and the JSON a command prints of it."""

from __future__ import annotations

from app.builds.deployment import DeployResult
from app.releases.results import PublishResult


def _edit() -> PublishResult:
    return PublishResult(edit_id="e1", version_code=7, dry_run=False, steps=["upload", "track", "commit"],
                         settled=[], location="play:internal", already_on_play=False)


def test_a_folder_deploy_prints_where_the_copy_is_and_its_digest() -> None:
    assert DeployResult(location="/out/app.apk", sha256="ab12").to_json() == {"location": "/out/app.apk", "sha256": "ab12"}


def test_an_adb_deploy_prints_the_device_and_the_tail_of_its_output() -> None:
    assert DeployResult(location="adb device", output="Success").to_json() == {"location": "adb device", "output": "Success"}


def test_a_play_deploy_prints_the_edit_as_play_reported_it() -> None:
    assert DeployResult.of_play(_edit()).to_json() == {
        "edit_id": "e1", "version_code": 7, "dry_run": False, "steps": ["upload", "track", "commit"], "settled": [],
        "location": "play:internal", "already_on_play": False}


def test_a_play_deploy_names_its_steps() -> None:
    assert DeployResult.of_play(_edit()).steps == ["upload", "track", "commit"]
