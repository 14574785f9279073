"""Events of the releases area (``release.*``); they name app ids, tracks and codes, never a secret."""

from __future__ import annotations

from app.events import Event, event_dataclass, event_type


@event_dataclass
class TrackEvent(Event):
    application_id: str = ""
    track: str = ""
    version_codes: tuple[int, ...] = ()
    status: str = ""
    user_fraction: float | None = None
    edit_id: str = ""
    changes: tuple[str, ...] = ()


@event_type("release.published")
@event_dataclass
class ReleasePublished(TrackEvent):
    """A new artifact went onto a track (or, with dry_run, was validated and the edit deleted)."""

    dry_run: bool = False


@event_type("release.rolled_out")
@event_dataclass
class ReleaseRolledOut(TrackEvent):
    """A staged rollout's user fraction was raised."""


@event_type("release.halted")
@event_dataclass
class ReleaseHalted(TrackEvent):
    pass


@event_type("release.resumed")
@event_dataclass
class ReleaseResumed(TrackEvent):
    pass


@event_type("release.completed")
@event_dataclass
class ReleaseCompleted(TrackEvent):
    pass


@event_type("release.promoted")
@event_dataclass
class ReleasePromoted(TrackEvent):
    from_track: str = ""


@event_type("release.listing_pushed")
@event_dataclass
class ListingPushed(Event):
    application_id: str = ""
    languages: tuple[str, ...] = ()
    images: int = 0
    edit_id: str = ""
    dry_run: bool = False


@event_type("release.commit_unknown")
@event_dataclass
class CommitOutcomeUnknown(TrackEvent):
    """The answer to an edit's commit was lost: whether Play applied it is not known yet.

    For a listing push (``action`` "listing") ``listing_parts`` names what the edit replaced ("en-US",
    "en-US:phoneScreenshots", ...) and ``digest`` is the hash of those texts and images, to compare with Play's.
    """

    action: str = ""
    listing_parts: tuple[str, ...] = ()
    digest: str = ""


@event_type("release.commit_settled")
@event_dataclass
class CommitOutcomeSettled(TrackEvent):
    """Play was asked what happened to an edit whose commit answer was lost."""

    committed: bool = False
    how: str = ""
    action: str = ""
