"""Events of the releases area (``release.*``); they name app ids, tracks and codes, never a secret."""

from __future__ import annotations

import dataclasses

from app.events import Event, event_type


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrackEvent(Event):
    application_id: str = ""
    track: str = ""
    version_codes: tuple[int, ...] = ()
    status: str = ""
    user_fraction: float | None = None
    edit_id: str = ""
    changes: tuple[str, ...] = ()


@event_type("release.published")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleasePublished(TrackEvent):
    """A new artifact went onto a track (or, with dry_run, was validated and the edit deleted)."""

    dry_run: bool = False


@event_type("release.rolled_out")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleaseRolledOut(TrackEvent):
    """A staged rollout's user fraction was raised."""


@event_type("release.halted")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleaseHalted(TrackEvent):
    pass


@event_type("release.resumed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleaseResumed(TrackEvent):
    pass


@event_type("release.completed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleaseCompleted(TrackEvent):
    pass


@event_type("release.promoted")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleasePromoted(TrackEvent):
    from_track: str = ""


@event_type("release.listing_pushed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ListingPushed(Event):
    application_id: str = ""
    languages: tuple[str, ...] = ()
    images: int = 0
    edit_id: str = ""
    dry_run: bool = False


@event_type("release.commit_unknown")
@dataclasses.dataclass(frozen=True, kw_only=True)
class CommitOutcomeUnknown(TrackEvent):
    """The answer to an edit's commit was lost: whether Play applied it is not known yet.

    For a listing push (``action`` "listing") ``listing_parts`` names what the edit replaced ("en-US",
    "en-US:phoneScreenshots", ...) and ``digest`` is the hash of those texts and images, to compare with Play's.
    """

    action: str = ""
    listing_parts: tuple[str, ...] = ()
    digest: str = ""


@event_type("release.commit_settled")
@dataclasses.dataclass(frozen=True, kw_only=True)
class CommitOutcomeSettled(TrackEvent):
    """Play was asked what happened to an edit whose commit answer was lost."""

    committed: bool = False
    how: str = ""
    action: str = ""
