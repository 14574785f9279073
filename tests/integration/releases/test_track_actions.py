"""Staged rollouts, halt/resume/complete and promote against the stand-in, as Play keeps them."""

from __future__ import annotations

import pytest

from app.errors import ProviderError, UserError
from app.releases.model import ReleaseAction
from services.bootstrap import Services
from services.events.store import EventQuery
from tests.support.play_standin import PlayStandIn

from .conftest import PACKAGE

LIVE = {"versionCodes": ["10000"], "status": "completed", "releaseNotes": [{"language": "en-US", "text": "First"}]}


def staged(code: str, fraction: float, status: str = "inProgress") -> dict[str, object]:
    return {"versionCodes": [code], "status": status, "userFraction": fraction}


def test_staged_rollout_goes_from_10_to_50_percent_then_completes(keyed: Services, play: PlayStandIn) -> None:
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.1))
    rel = keyed.releases
    result = rel.act(PACKAGE, ReleaseAction.ROLLOUT, "production", fraction=0.5)
    assert result["changes"] == ["production: 10001 inProgress 10% -> 10001 inProgress 50%"]
    # the completed release stays beside the rollout: users outside the 50% keep 10000
    assert play.track(PACKAGE, "production") == [LIVE, staged("10001", 0.5)]
    rel.act(PACKAGE, ReleaseAction.COMPLETE, "production")
    assert play.track(PACKAGE, "production") == [{"versionCodes": ["10001"], "status": "completed"}]
    types = [s.event.type for s in keyed.events.history(EventQuery(types=["release.*"], oldest_first=True))]
    assert types == ["release.rolled_out", "release.completed"]


def test_a_rollout_cannot_go_back_down(keyed: Services, play: PlayStandIn) -> None:
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.5))
    with pytest.raises(UserError, match="rollout is at 50%; Play cannot take it back to 10%"):
        keyed.releases.plan(PACKAGE, ReleaseAction.ROLLOUT, "production", fraction=0.1)


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5])
def test_a_fraction_outside_zero_one_is_refused_before_play_is_asked(
        keyed: Services, play: PlayStandIn, fraction: float) -> None:
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.1))
    with pytest.raises(UserError, match=r"outside \(0, 1\)"):
        keyed.releases.plan(PACKAGE, ReleaseAction.ROLLOUT, "production", fraction=fraction)


def test_halt_then_resume_keeps_the_fraction(keyed: Services, play: PlayStandIn) -> None:
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.2))
    keyed.releases.act(PACKAGE, ReleaseAction.HALT, "production")
    assert play.track(PACKAGE, "production") == [LIVE, staged("10001", 0.2, "halted")]
    with pytest.raises(UserError, match="nothing to halt on the production track"):
        keyed.releases.plan(PACKAGE, ReleaseAction.HALT, "production")
    keyed.releases.act(PACKAGE, ReleaseAction.RESUME, "production")
    assert play.track(PACKAGE, "production") == [LIVE, staged("10001", 0.2)]


def test_promote_internal_to_production_without_rebuilding(keyed: Services, play: PlayStandIn) -> None:
    play.seed(PACKAGE, "production", LIVE)
    play.seed(PACKAGE, "internal", {"versionCodes": ["10002"], "status": "completed",
                                    "releaseNotes": [{"language": "en-US", "text": "New quiz"}]})
    plan = keyed.releases.plan(PACKAGE, ReleaseAction.PROMOTE, "production", from_track="internal", fraction=0.2)
    assert plan.lines() == ["production: add 10002 inProgress 20%"]
    keyed.releases.apply(plan)
    assert play.track(PACKAGE, "production") == [
        LIVE, {"versionCodes": ["10002"], "status": "inProgress", "userFraction": 0.2,
               "releaseNotes": [{"language": "en-US", "text": "New quiz"}]}]
    assert not any(p.endswith(("/bundles", "/apks")) and m == "POST" for m, p in play.calls)  # nothing uploaded
    promoted = keyed.events.history(EventQuery(types=["release.promoted"]))
    assert promoted[0].event.payload()["from_track"] == "internal"


def test_a_plan_is_refused_when_the_track_changed_on_play_meanwhile(keyed: Services, play: PlayStandIn) -> None:
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.1))
    plan = keyed.releases.plan(PACKAGE, ReleaseAction.ROLLOUT, "production", fraction=0.5)
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.3))  # someone used Play Console
    with pytest.raises(UserError, match="changed on Play since this was shown"):
        keyed.releases.apply(plan)
    assert play.track(PACKAGE, "production")[1]["userFraction"] == 0.3


def test_a_lost_commit_answer_is_settled_with_play_before_the_next_step(keyed: Services,
                                                                       play: PlayStandIn) -> None:
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.1))
    play.fault("POST", r":commit$", "drop_after")  # Play commits, the answer never arrives
    with pytest.raises(ProviderError, match=r"answer to committing edit .* was lost"):
        keyed.releases.act(PACKAGE, ReleaseAction.ROLLOUT, "production", fraction=0.5)
    assert len(play.commits) == 1
    unknown = keyed.events.history(EventQuery(types=["release.commit_unknown"]))
    assert unknown and unknown[0].event.payload()["user_fraction"] == 0.5
    tracks = {t.name: t for t in keyed.releases.tracks(PACKAGE)}  # the next step asks first
    settled = keyed.events.history(EventQuery(types=["release.commit_settled"]))
    assert [s.event.payload()["committed"] for s in settled] == [True]
    assert len(play.commits) == 1  # never twice
    running = tracks["production"].staged()
    assert running is not None and running.user_fraction == 0.5
    keyed.releases.tracks(PACKAGE)
    assert len(keyed.events.history(EventQuery(types=["release.commit_settled"]))) == 1  # settled once


def test_a_commit_that_never_reached_play_is_committed_once_when_settled(keyed: Services,
                                                                        play: PlayStandIn) -> None:
    play.seed(PACKAGE, "production", LIVE, staged("10001", 0.1))
    play.fault("POST", r":commit$", "drop")  # the connection drops before Play does anything
    with pytest.raises(ProviderError, match="was lost"):
        keyed.releases.act(PACKAGE, ReleaseAction.HALT, "production")
    assert play.commits == []
    keyed.releases.settle(PACKAGE)
    assert len(play.commits) == 1
    assert play.track(PACKAGE, "production")[1]["status"] == "halted"
    settled = keyed.events.history(EventQuery(types=["release.commit_settled"]))
    assert "still open" in settled[0].event.payload()["how"]


def test_429_is_retried_after_the_wait_play_asks_for(keyed: Services, play: PlayStandIn) -> None:
    waits: list[float] = []
    keyed.releases.sleep = waits.append  # record the wait instead of sleeping through it
    play.seed(PACKAGE, "production", LIVE)
    play.fault("GET", r"/tracks$", "429", retry_after="7")
    play.fault("POST", r":validate$", "500")
    play.seed(PACKAGE, "internal", {"versionCodes": ["10000"], "status": "completed"})
    keyed.releases.act(PACKAGE, ReleaseAction.PROMOTE, "beta", from_track="internal")
    assert waits[0] == 7.0 and len(waits) == 2
    assert play.track(PACKAGE, "beta") == [{"versionCodes": ["10000"], "status": "completed"}]


def test_a_dropped_read_is_retried(keyed: Services, play: PlayStandIn) -> None:
    keyed.releases.sleep = lambda _s: None  # the retry's back-off, not waited out in a test
    play.seed(PACKAGE, "production", LIVE)
    play.fault("GET", r"/tracks$", "drop")
    assert [t.name for t in keyed.releases.tracks(PACKAGE) if t.releases] == ["production"]
