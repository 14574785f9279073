"""Building for Google Play and publishing to the stand-in: the whole edits flow, rollouts, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.builds.model import BuildState
from app.errors import UserError
from app.store.check import ReleaseCheckError
from services.bootstrap import Services
from services.builds.service import BuildsService
from services.events.store import EventQuery
from services.releases.listing_files import load_listing_dir
from tests.support.play_listing import write_listing
from tests.support.qasync_loop import build_ended

from .conftest import PlayFixture

TRIVIA = "com.indie.trivia"  # a maker's own id: the sample's own is refused for Play by the release check
SAMPLE_NOTES = "First release: five-question rounds, a running score and your best round."  # in its template.json


@pytest.fixture
def play_ready(package_factory: Any) -> None:
    """The trivia sample targeting API 36, as Play requires since August 2026."""
    package_factory("trivia-quiz", target_sdk=36, application_id=TRIVIA)


def test_a_full_release_with_listing_and_screenshots(builds: BuildsService, services: Services,
                                                     play: PlayFixture, play_ready: None, tmp_path: Path) -> None:
    notes = {"en-US": "Daily questions.", "de-DE": "Tägliche Fragen."}
    info = builds.start_build("trivia-quiz", "1.2.0", "aab", deploy="play:production", notes=notes)
    done = build_ended(builds, info.id, 120)
    assert done.state is BuildState.DEPLOYED, done.error
    st = play.standin
    assert st.track(TRIVIA, "production") == [{
        "versionCodes": [str(done.version_code)], "status": "completed",
        "releaseNotes": [{"language": "de-DE", "text": "Tägliche Fragen."},
                         {"language": "en-US", "text": "Daily questions."}]}]
    assert st.upload_bytes == [Path(done.artifact_path or "").stat().st_size]
    uploads = [p for m, p in st.calls if m == "POST" and p.startswith("/upload/") and p.endswith("/bundles")]
    assert len(uploads) == 1 and any(m == "PUT" for m, p in st.calls if p.endswith("/bundles"))  # resumable
    pushed = services.releases.push_listing(TRIVIA, load_listing_dir(write_listing(tmp_path / "listing", {"en-US": "Trivia Quiz", "de-DE": "Quiz"})))
    assert pushed["images"] == 10 and pushed["languages"] == ["de-DE", "en-US"]
    app = st.apps[TRIVIA]
    assert app.listings["en-US"]["title"] == "Trivia Quiz" and app.listings["de-DE"]["title"] == "Quiz"
    assert {k: len(v) for k, v in app.images["en-US"].items()} == {"icon": 1, "featureGraphic": 1,
                                                                   "phoneScreenshots": 3}
    # pushing again replaces the sets rather than adding to them
    services.releases.push_listing(TRIVIA, load_listing_dir(tmp_path / "listing"))
    assert len(st.apps[TRIVIA].images["en-US"]["phoneScreenshots"]) == 3
    types = [s.event.type for s in services.events.history(EventQuery(types=["release.*"], oldest_first=True))]
    assert types == ["release.published", "release.listing_pushed", "release.listing_pushed"]


def test_a_staged_rollout_keeps_the_completed_release(builds: BuildsService, play: PlayFixture,
                                                      play_ready: None) -> None:
    live = {"versionCodes": ["10100"], "status": "completed"}
    play.standin.seed(TRIVIA, "production", live)
    done = build_ended(builds, builds.start_build("trivia-quiz", "1.2.0", "aab", deploy="play:production",
                                          rollout=0.1).id, 120)
    assert done.state is BuildState.DEPLOYED, done.error
    notes = [{"language": "en-US", "text": SAMPLE_NOTES}]  # the package's own, no notes file given
    assert play.standin.track(TRIVIA, "production") == [
        live, {"versionCodes": [str(done.version_code)], "status": "inProgress", "userFraction": 0.1,
               "releaseNotes": notes}]


def test_the_version_code_is_chosen_above_plays_before_building(builds: BuildsService, play: PlayFixture,
                                                                play_ready: None) -> None:
    # Play already has 10205 (uploaded from another machine); 1.2.0 would be 10200
    play.standin.seed(TRIVIA, "internal", {"versionCodes": ["10205"], "status": "completed"})
    info = builds.start_build("trivia-quiz", "1.2.0", "aab", deploy="play:internal")
    assert info.version_code == 10206
    done = build_ended(builds, info.id, 120)
    assert done.state is BuildState.DEPLOYED, done.error


def test_a_dropped_upload_chunk_resumes_where_play_got_to(builds: BuildsService, services: Services,
                                                         play: PlayFixture, play_ready: None) -> None:
    services.releases.chunk_size = 1024
    services.releases.sleep = lambda _s: None  # the back-off before asking the session, not waited out
    # Play stores the first chunk, but its answer never arrives
    play.standin.fault("PUT", r"/bundles$", "drop_after")
    done = build_ended(builds, builds.start_build("trivia-quiz", "1.0.0", "aab", deploy="play:internal").id, 120)
    assert done.state is BuildState.DEPLOYED, done.error
    size = Path(done.artifact_path or "").stat().st_size
    assert size > 3 * 1024 and play.standin.upload_bytes == [size]  # every byte once, in order
    puts = [p for m, p in play.standin.calls if m == "PUT" and p.endswith("/bundles")]
    assert len(puts) == -(-size // 1024) + 1  # each chunk once, plus one question "how much do you have?"


def test_a_bundle_targeting_below_api_36_is_refused_before_anything_is_built(
        builds: BuildsService, play: PlayFixture, package_factory: Any) -> None:
    # Play would refuse it at upload ("must target at least API level 36"); the release check says so first
    package_factory("trivia-quiz", target_sdk=35, application_id=TRIVIA)
    with pytest.raises(ReleaseCheckError, match=r"^not ready for release: target_sdk: 35 is below Google Play's "
                                                r"minimum 36; set target_sdk to 36 or more$"):
        builds.start_build("trivia-quiz", "1.0.0", "aab", deploy="play:internal")
    assert builds.list_builds() == [] and play.standin.commits == []
    assert not [c for c in play.standin.calls if "/edits" in c[1]]


def test_a_dry_run_validates_and_deletes_the_edit(builds: BuildsService, play: PlayFixture, play_ready: None) -> None:
    done = build_ended(builds, builds.start_build("trivia-quiz", "1.0.0", "aab", deploy="play:beta", dry_run=True).id, 120)
    assert done.state is BuildState.DEPLOYED, done.error
    assert play.standin.commits == [] and play.standin.track(TRIVIA, "beta") == []
    assert [m for m, p in play.standin.calls if "/edits/" in p and p.endswith(":validate")] == ["POST"]
    assert play.standin.calls[-1][0] == "DELETE"
    assert done.deployments[0]["dry_run"] is True and "nothing changed on Play" in done.deployments[0]["location"]


def test_a_lost_commit_answer_during_a_deploy_is_never_published_twice(
        builds: BuildsService, services: Services, play: PlayFixture, play_ready: None) -> None:
    play.standin.fault("POST", r":commit$", "drop_after")
    done = build_ended(builds, builds.start_build("trivia-quiz", "1.0.0", "aab", deploy="play:internal").id, 120)
    assert done.state is BuildState.SIGNED and "was lost" in (done.error or "")
    again = builds.deploy(done.id, "play:internal")
    assert again.play is not None and again.play["settled"] == ["Play has it on the track: the commit went through"]
    assert "already there" in again.location
    assert len(play.standin.commits) == 1 and builds.get(done.id).state is BuildState.DEPLOYED


def test_a_draft_app_takes_only_draft_releases(builds: BuildsService, play: PlayFixture, play_ready: None) -> None:
    play.standin.apps[TRIVIA].draft = True
    done = build_ended(builds, builds.start_build("trivia-quiz", "1.0.0", "aab").id, 120)
    with pytest.raises(Exception, match="Only releases with status draft"):
        builds.deploy(done.id, "play:internal")
    builds.deploy(done.id, "play:internal:draft")
    assert play.standin.track(TRIVIA, "internal")[0]["status"] == "draft"


def test_rollout_or_notes_without_play_are_refused(builds: BuildsService, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="go with a Google Play deploy"):
        builds.start_build("trivia-quiz", "1.0.0", "aab", deploy=f"folder:{tmp_path}", rollout=0.1)


def test_a_build_already_on_play_goes_to_another_track_without_a_second_upload(
        builds: BuildsService, play: PlayFixture, play_ready: None) -> None:
    done = build_ended(builds, builds.start_build("trivia-quiz", "1.0.0", "aab", deploy="play:internal").id, 120)
    assert done.state is BuildState.DEPLOYED, done.error
    result = builds.deploy(done.id, "play:beta")
    assert "reuse-upload" in result.steps and "upload" not in result.steps
    assert len(play.standin.upload_bytes) == 1
    assert play.standin.track(TRIVIA, "beta") == [{"versionCodes": [str(done.version_code)], "status": "completed",
                                                   "releaseNotes": [{"language": "en-US", "text": SAMPLE_NOTES}]}]
