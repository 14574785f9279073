"""What a Play edit reports back: the shapes the CLI prints and the builds area reads."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class TrackActionResult(TypedDict):
    """A rollout, halt, resume, complete or promote sent in one committed edit."""

    application_id: str
    action: str
    track: str
    edit_id: str
    changes: list[str]
    steps: list[str]


class PublishResult(TypedDict):
    """A build put on a track (``already_on_play``: its versionCode was there, nothing was sent)."""

    edit_id: str
    version_code: int
    dry_run: bool
    steps: list[str]
    settled: list[str]
    location: str
    changes: NotRequired[list[str]]
    already_on_play: NotRequired[bool]


class ListingPushResult(TypedDict):
    """A store listing (texts and images of each language) sent in one edit."""

    application_id: str
    languages: list[str]
    images: int
    dry_run: bool
    edit_id: str
    steps: list[str]
