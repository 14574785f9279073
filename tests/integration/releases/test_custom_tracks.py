"""Closed testing tracks made in Play Console: listed beside the standard ones, usable by every action, and an
unknown track refused in one line naming the tracks Play has."""

from __future__ import annotations

import pytest

from app.errors import ProviderError, UserError
from app.releases.model import ReleaseAction
from services.bootstrap import Services
from services.releases.edits import Edit
from tests.support.play_standin import PlayStandIn

from .conftest import PACKAGE

INTERNAL = {"versionCodes": ["10200"], "status": "completed"}


def test_every_track_play_returns_is_listed_custom_ones_too(keyed: Services, play: PlayStandIn) -> None:
    play.add_track(PACKAGE, "qa-team")
    play.seed(PACKAGE, "internal", INTERNAL)
    tracks = keyed.releases.tracks(PACKAGE)
    assert [(t.name, len(t.releases)) for t in tracks] == [("alpha", 0), ("beta", 0), ("internal", 1),
                                                           ("production", 0), ("qa-team", 0)]


def test_promote_to_a_closed_testing_track_then_roll_it_out(keyed: Services, play: PlayStandIn) -> None:
    play.add_track(PACKAGE, "qa-team")
    play.seed(PACKAGE, "internal", INTERNAL)
    result = keyed.releases.act(PACKAGE, ReleaseAction.PROMOTE, "qa-team", from_track="internal", fraction=0.2)
    assert result["changes"] == ["qa-team: add 10200 inProgress 20%"]
    keyed.releases.act(PACKAGE, ReleaseAction.ROLLOUT, "qa-team", fraction=0.6)
    assert play.track(PACKAGE, "qa-team") == [{"versionCodes": ["10200"], "status": "inProgress", "userFraction": 0.6}]


def test_an_unknown_track_is_refused_naming_the_tracks_play_has(keyed: Services, play: PlayStandIn) -> None:
    play.add_track(PACKAGE, "qa-team")
    play.seed(PACKAGE, "internal", INTERNAL)
    with pytest.raises(UserError) as err:
        keyed.releases.plan(PACKAGE, ReleaseAction.PROMOTE, "qa-teem", from_track="internal")
    assert str(err.value) == ("Google Play has no track 'qa-teem' for com.trendforge.trivia; its tracks are: "
                              "alpha, beta, internal, production, qa-team")
    assert play.commits == []


def test_a_build_for_an_unknown_track_is_refused_when_the_version_code_is_read(keyed: Services,
                                                                               play: PlayStandIn) -> None:
    with pytest.raises(UserError, match=r"Google Play has no track 'qa-team' for com\.trendforge\.trivia"):
        keyed.releases.highest_version_code(PACKAGE, "qa-team")


def test_a_malformed_track_name_is_refused_before_play_is_asked(keyed: Services, play: PlayStandIn) -> None:
    play.calls.clear()
    with pytest.raises(UserError, match="'qa team' is not a track name"):
        keyed.releases.plan(PACKAGE, ReleaseAction.HALT, "qa team")
    assert play.calls == []


def test_the_standin_refuses_a_track_the_app_does_not_have(keyed: Services, play: PlayStandIn) -> None:
    edit = Edit.insert(keyed.releases.api(), PACKAGE)
    with pytest.raises(ProviderError, match="Track not found: qa-team") as err:
        edit.put_track(edit.track("qa-team"))
    assert err.value.status_code == 404
