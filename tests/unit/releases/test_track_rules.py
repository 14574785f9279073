"""The pure track rules: what stays on a track when a release is placed, and the rollout steps."""

from __future__ import annotations

import pytest

from app.errors import UserError
from app.releases.model import (
    Release,
    ReleaseStatus,
    Track,
    check_notes,
    complete,
    describe_change,
    highest_version_code,
    place_release,
    promote,
    set_fraction,
)

DONE = Release((100,), ReleaseStatus.COMPLETED)
STAGED = Release((101,), ReleaseStatus.IN_PROGRESS, 0.1)
DRAFT = Release((99,), ReleaseStatus.DRAFT)


def test_a_staged_release_keeps_the_completed_one_and_replaces_other_staged() -> None:
    track = Track("production", (DONE, STAGED))
    new = Release((102,), ReleaseStatus.IN_PROGRESS, 0.2)
    assert place_release(track, new).releases == (DONE, new)


def test_a_completed_release_replaces_everything() -> None:
    new = Release((102,), ReleaseStatus.COMPLETED)
    assert place_release(Track("beta", (DRAFT, DONE, STAGED)), new).releases == (new,)


def test_a_draft_replaces_drafts_only() -> None:
    new = Release((103,), ReleaseStatus.DRAFT)
    assert place_release(Track("beta", (DONE, DRAFT)), new).releases == (DONE, new)


def test_complete_puts_the_staged_release_to_everyone() -> None:
    after = complete(Track("production", (DONE, STAGED)))
    assert after.releases == (Release((101,), ReleaseStatus.COMPLETED),)


def test_promote_takes_the_newest_non_draft_release() -> None:
    source = Track("internal", (DONE, Release((105,), ReleaseStatus.COMPLETED), Release((106,), ReleaseStatus.DRAFT)))
    after = promote(source, Track("production", (DONE,)), 0.5)
    assert after.releases == (DONE, Release((105,), ReleaseStatus.IN_PROGRESS, 0.5))


@pytest.mark.parametrize(("status", "fraction", "message"), [
    (ReleaseStatus.COMPLETED, 0.5, "goes to everyone"),
    (ReleaseStatus.IN_PROGRESS, None, "needs a rollout fraction"),
    (ReleaseStatus.HALTED, 1.0, r"outside \(0, 1\)"),
])
def test_play_fraction_rules(status: ReleaseStatus, fraction: float | None, message: str) -> None:
    with pytest.raises(UserError, match=message):
        Release((1,), status, fraction)


def test_notes_over_500_characters_are_refused_per_language() -> None:
    assert check_notes({"en-US": " ok ", "de-DE": ""}) == (("en-US", "ok"),)
    with pytest.raises(UserError, match="de-DE are 501 characters"):
        check_notes({"de-DE": "x" * 501})


def test_describe_change_and_highest_code() -> None:
    before = Track("production", (DONE, STAGED))
    after = set_fraction(before, 0.5)
    assert describe_change(before, after) == ["production: 101 inProgress 10% -> 101 inProgress 50%"]
    assert highest_version_code([before, Track("internal", (Release((120,), ReleaseStatus.DRAFT),))], [110]) == 120
    assert highest_version_code([]) is None


def test_api_round_trip() -> None:
    rel = Release((7, 8), ReleaseStatus.HALTED, 0.25, (("en-US", "Fixes"),), "v7")
    assert Release.from_api(rel.to_api()) == rel
