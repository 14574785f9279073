"""Google Play tracks and releases as values, and the rules that change a track.

Each change is a pure function from a track to a new track, so the GUI can show exactly what
an action will do (``describe_change``) before anything is sent, and the CLI, the GUI and the
build deploy share one rule per action (gradle-play-publisher's track semantics).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from app.choice import parse_choice
from app.errors import UserError
from app.store.policy import RELEASE_NOTES_MAX as NOTES_LIMIT  # Play's limit per language

RELEASE_NAME_LIMIT = 50
TRACKS = ("internal", "alpha", "beta", "production")  # every app has these; closed testing tracks come beside them
_TRACK_NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,99}$")  # a closed testing track's id, e.g. "qa-team"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class ReleaseAction(StrEnum):
    """What a track command does to a release."""

    ROLLOUT = "rollout"
    HALT = "halt"
    RESUME = "resume"
    COMPLETE = "complete"
    PROMOTE = "promote"


class ReleaseStatus(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"
    IN_PROGRESS = "inProgress"
    HALTED = "halted"

    @property
    def staged(self) -> bool:
        """inProgress and halted releases carry a user fraction."""
        return self in (ReleaseStatus.IN_PROGRESS, ReleaseStatus.HALTED)

    @classmethod
    def parse(cls, text: str) -> ReleaseStatus:
        return parse_choice(cls, text, "release status")


def check_track(name: str) -> str:
    """A track's name as Play spells it: a standard track or a closed testing track's id."""
    if not _TRACK_NAME.fullmatch(name):
        raise UserError(f"{name!r} is not a track name; use {', '.join(TRACKS)} or a closed testing track's name")
    return name


def require_track(name: str, on_play: Iterable[str], application_id: str) -> str:
    """Refuse a track Play does not have for the app, naming the tracks it has."""
    known = sorted(set(on_play) | set(TRACKS))
    if check_track(name) not in known:
        raise UserError(f"Google Play has no track {name!r} for {application_id}; its tracks are: {', '.join(known)}")
    return name


def check_language(language: str) -> str:
    if not _LANGUAGE.fullmatch(language):
        raise UserError(f"{language!r} is not a language tag such as en-US or de-DE")
    return language


def check_fraction(status: ReleaseStatus, fraction: float | None) -> float | None:
    """Play's rule: a user fraction only with inProgress/halted, strictly between 0 and 1."""
    if status.staged:
        if fraction is None:
            raise UserError(f"a {status.value} release needs a rollout fraction between 0 and 1 (e.g. 0.1)")
        if not 0.0 < fraction < 1.0:
            raise UserError(f"rollout fraction {fraction:g} is outside (0, 1); use e.g. 0.1 for 10% of users, "
                            "or complete the release for everyone")
        return float(fraction)
    if fraction is not None:
        raise UserError(f"a {status.value} release goes to everyone; a rollout fraction needs status inProgress")
    return None


def check_notes(notes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Release notes per language, each within Play's 500 characters; sorted by language."""
    out: list[tuple[str, str]] = []
    for language, text in notes.items():
        check_language(language)
        text = text.strip()
        if not text:
            continue
        if len(text) > NOTES_LIMIT:
            raise UserError(f"release notes for {language} are {len(text)} characters; Play allows {NOTES_LIMIT}")
        out.append((language, text))
    return tuple(sorted(out))


@dataclass(frozen=True)
class Release:
    version_codes: tuple[int, ...]
    status: ReleaseStatus
    user_fraction: float | None = None
    notes: tuple[tuple[str, str], ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        check_fraction(self.status, self.user_fraction)
        if len(self.name) > RELEASE_NAME_LIMIT:
            raise UserError(f"release name {self.name!r} is longer than Play's {RELEASE_NAME_LIMIT} characters")

    @property
    def top_code(self) -> int:
        return max(self.version_codes, default=0)

    def label(self) -> str:
        codes = ",".join(str(c) for c in self.version_codes) or "-"
        share = f" {self.user_fraction:.0%}" if self.user_fraction is not None else ""
        return f"{codes} {self.status.value}{share}"

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"versionCodes": [str(c) for c in self.version_codes], "status": self.status.value}
        if self.user_fraction is not None:
            body["userFraction"] = self.user_fraction
        if self.notes:
            body["releaseNotes"] = [{"language": lang, "text": text} for lang, text in self.notes]
        if self.name:
            body["name"] = self.name
        return body

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> Release:
        fraction = body.get("userFraction")
        return cls(
            version_codes=tuple(int(c) for c in body.get("versionCodes", [])),
            status=ReleaseStatus.parse(str(body.get("status", "completed"))),
            user_fraction=float(fraction) if fraction is not None else None,
            notes=tuple(sorted((str(n.get("language", "")), str(n.get("text", "")))
                               for n in body.get("releaseNotes", []))),
            name=str(body.get("name", "")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"version_codes": list(self.version_codes), "status": self.status.value,
                "user_fraction": self.user_fraction, "notes": dict(self.notes), "name": self.name}


@dataclass(frozen=True)
class Track:
    name: str
    releases: tuple[Release, ...] = ()

    def to_api(self) -> dict[str, Any]:
        return {"track": self.name, "releases": [r.to_api() for r in self.releases]}

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> Track:
        return cls(str(body.get("track", "")), tuple(Release.from_api(r) for r in body.get("releases", [])))

    def to_dict(self) -> dict[str, Any]:
        return {"track": self.name, "releases": [r.to_dict() for r in self.releases]}

    def staged(self) -> Release | None:
        return next((r for r in self.releases if r.status.staged), None)

    def version_codes(self) -> set[int]:
        return {c for r in self.releases for c in r.version_codes}


def highest_version_code(tracks: Iterable[Track], extra: Iterable[int] = ()) -> int | None:
    codes = [c for t in tracks for c in t.version_codes()] + list(extra)
    return max(codes) if codes else None


# -- the rules: each returns the new track ----------------------------------------------------------
def place_release(track: Track, new: Release) -> Track:
    """Put a new release on a track the way gradle-play-publisher does.

    A staged release (inProgress/halted) keeps the track's completed release (users not in the
    fraction stay on it) and replaces any other staged or draft release; a completed release
    replaces everything; a draft replaces earlier drafts and keeps the rest.
    """
    if new.status is ReleaseStatus.COMPLETED:
        kept: list[Release] = []
    elif new.status.staged:
        kept = [r for r in track.releases if r.status is ReleaseStatus.COMPLETED][-1:]
    else:
        kept = [r for r in track.releases if r.status is not ReleaseStatus.DRAFT]
    kept = [r for r in kept if not set(r.version_codes) & set(new.version_codes)]
    return replace(track, releases=(*kept, new))


def _staged_or_refuse(track: Track, wanted: tuple[ReleaseStatus, ...], action: str) -> Release:
    staged = next((r for r in track.releases if r.status in wanted), None)
    if staged is None:
        states = " or ".join(s.value for s in wanted)
        raise UserError(f"nothing to {action} on the {track.name} track: it has no {states} release "
                        f"(it has: {', '.join(r.label() for r in track.releases) or 'no releases'})")
    return staged


def _swap(track: Track, old: Release, new: Release) -> Track:
    return replace(track, releases=tuple(new if r is old else r for r in track.releases))


def set_fraction(track: Track, fraction: float) -> Track:
    """Raise a staged rollout's fraction (a running one, or a halted one which then resumes)."""
    staged = _staged_or_refuse(track, (ReleaseStatus.IN_PROGRESS, ReleaseStatus.HALTED), "roll out")
    check_fraction(ReleaseStatus.IN_PROGRESS, fraction)
    if staged.user_fraction is not None and fraction < staged.user_fraction:
        raise UserError(f"the rollout is at {staged.user_fraction:.0%}; Play cannot take it back to {fraction:.0%} "
                        "(halt it instead)")
    return _swap(track, staged, replace(staged, status=ReleaseStatus.IN_PROGRESS, user_fraction=fraction))


def halt(track: Track) -> Track:
    staged = _staged_or_refuse(track, (ReleaseStatus.IN_PROGRESS,), "halt")
    return _swap(track, staged, replace(staged, status=ReleaseStatus.HALTED))


def resume(track: Track) -> Track:
    staged = _staged_or_refuse(track, (ReleaseStatus.HALTED,), "resume")
    return _swap(track, staged, replace(staged, status=ReleaseStatus.IN_PROGRESS))


def complete(track: Track) -> Track:
    """The staged release goes to everyone and replaces the completed one it was rolling out over."""
    staged = _staged_or_refuse(track, (ReleaseStatus.IN_PROGRESS, ReleaseStatus.HALTED), "complete")
    return place_release(track, replace(staged, status=ReleaseStatus.COMPLETED, user_fraction=None))


def promote(source: Track, target: Track, fraction: float | None = None) -> Track:
    """Put the source track's newest release on the target (no rebuild), staged when a fraction is given."""
    candidates = [r for r in source.releases if r.status is not ReleaseStatus.DRAFT] or list(source.releases)
    if not candidates:
        raise UserError(f"the {source.name} track has no release to promote")
    newest = max(candidates, key=lambda r: r.top_code)
    status = ReleaseStatus.IN_PROGRESS if fraction is not None else ReleaseStatus.COMPLETED
    return place_release(target, replace(newest, status=status, user_fraction=fraction))


@dataclass(frozen=True)
class TrackChange:
    """What an action will do to one track: shown to the user before it is sent."""

    before: Track
    after: Track
    lines: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, before: Track, after: Track) -> TrackChange:
        return cls(before, after, tuple(describe_change(before, after)))

    @property
    def empty(self) -> bool:
        return self.before.releases == self.after.releases


def describe_change(before: Track, after: Track) -> list[str]:
    """Human lines: which releases appear, go, or change status/fraction on the track."""
    lines: list[str] = []
    old = {r.version_codes: r for r in before.releases}
    new = {r.version_codes: r for r in after.releases}
    for codes, rel in new.items():
        prev = old.get(codes)
        if prev is None:
            lines.append(f"{after.name}: add {rel.label()}")
        elif prev != rel:
            lines.append(f"{after.name}: {prev.label()} -> {rel.label()}")
    for codes, rel in old.items():
        if codes not in new:
            lines.append(f"{after.name}: remove {rel.label()}")
    return lines or [f"{after.name}: no change"]
