"""A lost answer to a listing push's commit is settled with Play before the next step on the app: never pushed
twice, never silently lost (the stand-in's dropped-answer faults)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ProviderError
from services.bootstrap import Services
from services.events.store import EventQuery
from services.releases.listing_files import load_listing_dir
from tests.support.play_listing import write_listing
from tests.support.play_standin import PlayStandIn

from .conftest import PACKAGE


def _settled(services: Services) -> list[dict[str, object]]:
    return [s.event.payload() for s in services.events.history(EventQuery(types=["release.commit_settled"]))]


def _push_losing_the_answer(keyed: Services, play: PlayStandIn, tmp_path: Path, kind: str) -> None:
    listing = load_listing_dir(write_listing(tmp_path / "listing", {"en-US": "Trivia Quiz", "de-DE": "Quiz"}))
    play.fault("POST", r":commit$", kind)
    with pytest.raises(ProviderError, match=r"answer to committing edit .* was lost"):
        keyed.releases.push_listing(PACKAGE, listing)
    unknown = keyed.events.history(EventQuery(types=["release.commit_unknown"]))
    assert [u.event.payload()["action"] for u in unknown] == ["listing"]


def test_a_listing_play_committed_is_found_on_play_and_not_pushed_again(keyed: Services, play: PlayStandIn,
                                                                       tmp_path: Path) -> None:
    _push_losing_the_answer(keyed, play, tmp_path, "drop_after")  # Play commits; the answer never arrives
    assert len(play.commits) == 1
    keyed.releases.listings(PACKAGE)  # the next step asks Play first
    assert [(s["committed"], s["how"]) for s in _settled(keyed)] == [
        (True, "Play has the listing: the commit went through")]
    assert len(play.commits) == 1  # never twice
    assert play.apps[PACKAGE].listings["de-DE"]["title"] == "Quiz"
    keyed.releases.tracks(PACKAGE)
    assert len(_settled(keyed)) == 1  # settled once


def test_a_listing_commit_that_never_reached_play_is_committed_once_when_settled(
        keyed: Services, play: PlayStandIn, tmp_path: Path) -> None:
    _push_losing_the_answer(keyed, play, tmp_path, "drop")  # the connection drops before Play does anything
    assert play.commits == [] and play.apps[PACKAGE].listings == {}
    keyed.releases.tracks(PACKAGE)
    assert len(play.commits) == 1
    assert play.apps[PACKAGE].listings["en-US"]["title"] == "Trivia Quiz"
    assert len(play.apps[PACKAGE].images["en-US"]["phoneScreenshots"]) == 3
    assert [s["how"] for s in _settled(keyed)] == ["the edit was still open on Play; committed it now"]


def test_a_listing_play_does_not_have_is_settled_as_not_applied(keyed: Services, play: PlayStandIn,
                                                               tmp_path: Path) -> None:
    _push_losing_the_answer(keyed, play, tmp_path, "drop")
    play.edits[keyed.events.history(EventQuery(types=["release.commit_unknown"]))[0].event.payload()["edit_id"]
               ].state = "deleted"  # the open edit expired on Play before anyone asked
    keyed.releases.settle(PACKAGE)
    assert [(s["committed"], s["how"]) for s in _settled(keyed)] == [
        (False, "Play does not have it: the change was not applied; do it again")]
    assert play.commits == []
