"""Releases on Google Play: what is on each track, staged rollouts, promote, listings, publishing builds.

Every change is planned first from what Play has (a ``ReleasePlan`` the GUI shows and asks about),
then applied in one edit that re-reads the tracks and refuses if Play changed meanwhile. A commit
whose answer was lost is recorded (``release.commit_unknown``) and settled with Play before the
next step on that app, so a release is never made twice and never silently lost.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

import app.releases.events as ev
from app.errors import UserError
from app.events import CredentialSet, Event
from app.health import Health
from app.releases.listing import StoreListing
from app.releases.model import (
    Release,
    ReleaseAction,
    ReleaseStatus,
    Track,
    TrackChange,
    check_fraction,
    check_notes,
    check_track,
    complete,
    halt,
    highest_version_code,
    place_release,
    promote,
    require_track,
    resume,
    set_fraction,
)
from app.releases.results import ListingPushResult, PublishResult, TrackActionResult
from app.remedies import SetCredential
from services.base import BaseService, operation
from services.context import ServiceContext
from services.events.store import EventQuery
from services.releases.api import CommitOutcomeLostError, PlayApi
from services.releases.edits import Edit
from services.releases.health import SECRET_NAME as PLAY_SECRET
from services.releases.health import play_key_health
from services.releases.listing_files import check_images
from services.releases.listing_state import listing_parts, play_digest, pushed_digest

if TYPE_CHECKING:
    from services.releases.auth import PlayTokens, ServiceAccountKey

SECRET_NAME = PLAY_SECRET
# services.releases.auth (google-auth and the cryptography it signs with: ~8 MB of memory, ~60 modules) is
# imported where a Play key is first read, not with the service: most studios' windows never read one


_EVENTS: dict[ReleaseAction, type[ev.TrackEvent]] = {
    ReleaseAction.ROLLOUT: ev.ReleaseRolledOut, ReleaseAction.HALT: ev.ReleaseHalted,
    ReleaseAction.RESUME: ev.ReleaseResumed, ReleaseAction.COMPLETE: ev.ReleaseCompleted,
    ReleaseAction.PROMOTE: ev.ReleasePromoted,
}


@dataclass(frozen=True)
class ReleasePlan:
    """An action on one app, with the track before and after; nothing is sent until applied."""

    application_id: str
    action: ReleaseAction
    change: TrackChange
    from_track: str = ""

    @property
    def track(self) -> str:
        return self.change.after.name

    def lines(self) -> list[str]:
        return list(self.change.lines)

    def key_release(self) -> Release:
        """The release the action is about (the one whose state a lost commit is checked by)."""
        before = set(self.change.before.releases)
        changed = [r for r in self.change.after.releases if r not in before]
        return changed[-1] if changed else self.change.after.releases[-1]


@dataclass(frozen=True)
class PublishRequest:
    application_id: str
    artifact: Path
    track: str
    version_code: int
    status: ReleaseStatus = ReleaseStatus.COMPLETED
    user_fraction: float | None = None
    notes: Mapping[str, str] | None = None
    dry_run: bool = False


class ReleasesService(BaseService):
    name = "releases"

    def __init__(self, ctx: ServiceContext, *, base_url: Callable[[], str],
                 sleep: Callable[[float], None] = time.sleep, chunk_size: int | None = None) -> None:
        super().__init__(ctx)
        self._base_url = base_url
        self.sleep = sleep  # how retries wait (Retry-After); tests record the waits
        self.chunk_size = chunk_size  # resumable upload chunk (None: the API's default)
        self._made_client: httpx.Client | None = None  # made at the first request (loading the CA bundle takes ~100 ms)
        self._tokens: PlayTokens | None = None
        self._tokens_for = ""
        self._lock = threading.Lock()
        self._client_lock = threading.Lock()

    @property
    def _client(self) -> httpx.Client:
        with self._client_lock:
            if self._made_client is None:
                self._made_client = httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0), follow_redirects=False)
            return self._made_client

    def close(self) -> None:
        if self._made_client is not None:
            self._made_client.close()

    # -- the key ---------------------------------------------------------------------------------
    @operation
    def store_key(self, text: str) -> ServiceAccountKey:
        """Check a service-account JSON key and keep it in the keyring (only there)."""
        from services.releases.auth import parse_key

        key = parse_key(text.strip())
        self.ctx.secrets.set(SECRET_NAME, text.strip())
        with self.ctx.new_uow() as uow:
            uow.record(CredentialSet(source=self.name, name="play"))
            uow.commit()
        return key

    def stored_key(self) -> ServiceAccountKey:
        text = self.ctx.secrets.get(SECRET_NAME)
        if not text:
            raise UserError("no Google Play key; store the service account's JSON key",
                            remedy=SetCredential("play"))
        from services.releases.auth import parse_key

        return parse_key(text)

    def account(self) -> str | None:
        """The stored key's service-account e-mail, or None."""
        try:
            return self.stored_key().client_email
        except UserError:
            return None

    @operation
    def test_key(self, text: str | None = None) -> str:
        """Mint one access token with ``text`` (a key not yet stored) or the stored key, against the key's own
        token_uri; nothing is stored or cached. A refusal is one line naming the account and what to check."""
        from services.releases.auth import PlayTokens, parse_key

        key = parse_key(text.strip()) if text is not None else self.stored_key()
        PlayTokens(key, self._client, self.ctx.clock, remember=self.ctx.secrets.remember).token()
        return f"Google accepted the key of {key.client_email}"

    def api(self) -> PlayApi:
        text = self.ctx.secrets.get(SECRET_NAME) or ""
        fingerprint = hashlib.sha256(text.encode()).hexdigest()
        with self._lock:
            if self._tokens is None or self._tokens_for != fingerprint:
                from services.releases.auth import PlayTokens

                self._tokens = PlayTokens(self.stored_key(), self._client, self.ctx.clock, remember=self.ctx.secrets.remember)
                self._tokens_for = fingerprint
            tokens = self._tokens
        api = PlayApi(self._base_url(), tokens, self._client, sleep=self.sleep)
        if self.chunk_size:
            api.chunk_size = self.chunk_size
        return api

    @property
    def tokens_minted(self) -> int:
        return self._tokens.minted if self._tokens is not None else 0

    # -- reads -----------------------------------------------------------------------------------
    def _read(self, application_id: str, fn: Callable[[Edit], Any]) -> Any:
        edit = Edit.insert(self.api(), application_id)
        try:
            return fn(edit)
        finally:
            edit.abandon()

    def _read_track(self, application_id: str, name: str) -> Track:
        def read(edit: Edit) -> Track:
            return edit.track(name)

        track: Track = self._read(application_id, read)
        return track

    @operation
    def tracks(self, application_id: str) -> list[Track]:
        self.settle(application_id)
        tracks: list[Track] = self._read(application_id, lambda e: e.tracks())
        return sorted(tracks, key=lambda t: t.name)

    @operation
    def listings(self, application_id: str) -> list[dict[str, Any]]:
        self.settle(application_id)
        return list(self._read(application_id, lambda e: e.listings()))

    @operation
    def highest_version_code(self, application_id: str, track: str | None = None) -> int | None:
        """The highest versionCode Play has for the app: on any track, or uploaded at all. With ``track``, a track
        Play does not have is refused first (so a build for it is refused before it is built)."""
        if track is not None:
            check_track(track)
        self.settle(application_id)

        def read(edit: Edit) -> int | None:
            tracks = edit.tracks()
            if track is not None:
                require_track(track, (t.name for t in tracks), application_id)
            return highest_version_code(tracks, edit.uploaded_codes())

        result: int | None = self._read(application_id, read)
        return result

    # -- lost commit answers ---------------------------------------------------------------------
    def _unsettled(self, application_id: str) -> list[ev.CommitOutcomeUnknown]:
        rows = self.ctx.bus.store.history(EventQuery(types=["release.commit_unknown", "release.commit_settled"],
                                                     limit=1000))
        settled = {r.event.edit_id for r in rows if isinstance(r.event, ev.CommitOutcomeSettled)}
        return [r.event for r in reversed(rows) if isinstance(r.event, ev.CommitOutcomeUnknown)
                and r.event.application_id == application_id and r.event.edit_id not in settled]

    @operation
    def settle(self, application_id: str) -> list[ev.CommitOutcomeSettled]:
        """Ask Play what became of each commit whose answer was lost, before anything else is done."""
        out: list[ev.CommitOutcomeSettled] = []
        for unknown in self._unsettled(application_id):
            api = self.api()
            old = Edit(api, application_id, unknown.edit_id)
            if old.exists():
                old.commit()  # still open: Play never got the commit; it is exactly the change asked for
                committed, how = True, "the edit was still open on Play; committed it now"
            else:
                committed = self._on_play(application_id, unknown)
                where = "the listing" if unknown.action == "listing" else "it on the track"
                how = (f"Play has {where}: the commit went through" if committed else
                       "Play does not have it: the change was not applied; do it again")
            settled = ev.CommitOutcomeSettled(
                source=self.name, application_id=application_id, track=unknown.track,
                version_codes=unknown.version_codes, status=unknown.status, user_fraction=unknown.user_fraction,
                edit_id=unknown.edit_id, committed=committed, how=how, changes=unknown.changes, action=unknown.action)
            self._record(settled)
            out.append(settled)
        return out

    def _on_play(self, application_id: str, unknown: ev.CommitOutcomeUnknown) -> bool:
        """Whether Play has what the lost commit was to apply (its edit is gone: committed, or expired)."""
        if unknown.action == "listing":
            parts = tuple(unknown.listing_parts)
            digest: str = self._read(application_id, lambda e: play_digest(e, parts))
            return digest == unknown.digest
        track = self._read_track(application_id, unknown.track)
        return any(set(r.version_codes) == set(unknown.version_codes) and r.status.value == unknown.status
                   and r.user_fraction == unknown.user_fraction for r in track.releases)

    def _record(self, *events: Any) -> None:
        with self.ctx.new_uow() as uow:
            uow.record(*events)
            uow.commit()

    def _commit(self, edit: Edit, success: Event, unknown: Callable[[], ev.CommitOutcomeUnknown]) -> None:
        """Commit the edit and record ``success``; a lost answer is recorded as ``unknown()`` for settling."""
        try:
            edit.commit()
        except CommitOutcomeLostError:
            self._record(unknown())
            raise
        self._record(success)

    def _track_unknown(self, success: ev.TrackEvent, edit: Edit, action: str) -> ev.CommitOutcomeUnknown:
        return ev.CommitOutcomeUnknown(
            source=self.name, application_id=success.application_id, track=success.track,
            version_codes=success.version_codes, status=success.status, user_fraction=success.user_fraction,
            edit_id=edit.id, changes=success.changes, action=action)

    # -- track actions ---------------------------------------------------------------------------
    @operation
    def plan(self, application_id: str, action: ReleaseAction, track: str, *, fraction: float | None = None,
             from_track: str = "") -> ReleasePlan:
        check_track(track)
        if from_track:
            check_track(from_track)
        if fraction is not None:
            check_fraction(ReleaseStatus.IN_PROGRESS, fraction)  # refused before Play is asked anything
        self.settle(application_id)
        tracks: dict[str, Track] = self._read(application_id, lambda e: {t.name: t for t in e.tracks()})
        for name in (track, from_track) if from_track else (track,):
            require_track(name, tracks, application_id)
        before = tracks.get(track, Track(track))
        if action is ReleaseAction.ROLLOUT:
            if fraction is None:
                raise UserError("a rollout needs a fraction between 0 and 1, e.g. 0.5")
            after = set_fraction(before, fraction)
        elif action is ReleaseAction.HALT:
            after = halt(before)
        elif action is ReleaseAction.RESUME:
            after = resume(before)
        elif action is ReleaseAction.COMPLETE:
            after = complete(before)
        else:
            if not from_track or from_track == track:
                raise UserError("promote needs a source track different from the target track")
            after = promote(tracks.get(from_track, Track(from_track)), before, fraction)
        return ReleasePlan(application_id, action, TrackChange.of(before, after), from_track)

    @operation
    def apply(self, plan: ReleasePlan) -> TrackActionResult:
        """Send a plan in one edit, after checking the track is still what the plan was made from."""
        self.settle(plan.application_id)
        edit = Edit.insert(self.api(), plan.application_id)
        try:
            current = edit.track(plan.track)
            if current.releases != plan.change.before.releases:
                raise UserError(f"the {plan.track} track of {plan.application_id} changed on Play since this was "
                                "shown; look at it again and retry")
            edit.put_track(plan.change.after)
            edit.validate()
        except Exception:
            edit.abandon()
            raise
        key = plan.key_release()
        success = _EVENTS[plan.action](
            source=self.name, application_id=plan.application_id, track=plan.track,
            version_codes=key.version_codes, status=key.status.value, user_fraction=key.user_fraction,
            edit_id=edit.id, changes=tuple(plan.lines()))
        if isinstance(success, ev.ReleasePromoted):
            success = dataclasses.replace(success, from_track=plan.from_track)
        self._commit(edit, success, lambda: self._track_unknown(success, edit, plan.action.value))
        return {"application_id": plan.application_id, "action": plan.action.value, "track": plan.track,
                "edit_id": edit.id, "changes": plan.lines(), "steps": edit.steps}

    def act(self, application_id: str, action: ReleaseAction, track: str, *, fraction: float | None = None,
            from_track: str = "") -> TrackActionResult:
        return self.apply(self.plan(application_id, action, track, fraction=fraction, from_track=from_track))

    # -- publishing a build ----------------------------------------------------------------------
    @operation
    def publish(self, req: PublishRequest) -> PublishResult:
        """insert -> read track -> upload (resumable) -> track update keeping what must stay -> validate -> commit."""
        check_track(req.track)
        notes = check_notes(req.notes or {})
        Release((req.version_code,), req.status, req.user_fraction, notes)  # refuse a bad fraction before any I/O
        settled = self.settle(req.application_id)
        edit = Edit.insert(self.api(), req.application_id)
        try:
            tracks = {t.name: t for t in edit.tracks()}
            require_track(req.track, tracks, req.application_id)
            before = tracks.get(req.track, Track(req.track))
            if req.version_code in before.version_codes():
                edit.delete()
                return {"edit_id": edit.id, "version_code": req.version_code, "dry_run": req.dry_run,
                        "already_on_play": True, "steps": edit.steps, "settled": [s.how for s in settled],
                        "location": f"play:{req.track} (versionCode {req.version_code} is already there)"}
            if req.version_code in edit.uploaded_codes():
                code = req.version_code  # Play has this bundle already (another track): reference it, no upload
                edit.steps.append("reuse-upload")
            else:
                code = edit.upload(req.artifact)
            release = Release((code,), req.status, req.user_fraction, notes)
            after = place_release(before, release)
            edit.put_track(after)
            edit.validate()
            if req.dry_run:
                edit.delete()
        except Exception:
            edit.abandon()
            raise
        lines = tuple(TrackChange.of(before, after).lines)
        event = ev.ReleasePublished(source=self.name, application_id=req.application_id, track=req.track,
                                    version_codes=(code,), status=req.status.value, user_fraction=req.user_fraction,
                                    edit_id=edit.id, changes=lines, dry_run=req.dry_run)
        if req.dry_run:
            self._record(event)
        else:
            self._commit(edit, event, lambda: self._track_unknown(event, edit, "publish"))
        share = f" at {req.user_fraction:.0%}" if req.user_fraction is not None else ""
        where = (f"play:{req.track} (dry run: validated, edit deleted, nothing changed on Play)" if req.dry_run
                 else f"play:{req.track} ({req.status.value}{share})")
        return {"edit_id": edit.id, "version_code": code, "dry_run": req.dry_run, "steps": edit.steps,
                "changes": list(lines), "settled": [s.how for s in settled], "location": where}

    def publish_build(self, application_id: str, artifact: Path, track: str, version_code: int, *,
                      status: str, user_fraction: float | None, notes: Mapping[str, str],
                      dry_run: bool) -> PublishResult:
        """The builds area's port (services.builds.play_port.PlayPort)."""
        return self.publish(PublishRequest(application_id, artifact, track, version_code,
                                           ReleaseStatus.parse(status), user_fraction, notes, dry_run))

    # -- the store listing -----------------------------------------------------------------------
    @operation
    def push_listing(self, application_id: str, listing: StoreListing, *, dry_run: bool = False) -> ListingPushResult:
        check_images(listing)  # what Play would refuse is refused here, before any call
        self.settle(application_id)
        edit = Edit.insert(self.api(), application_id)
        images = 0
        try:
            for loc in listing.locales:
                edit.put_listing(loc)
                for kind, paths in sorted(loc.images.items()):
                    images += edit.replace_images(loc.language, kind, paths)
            edit.validate()
            if dry_run:
                edit.delete()
        except Exception:
            edit.abandon()
            raise
        languages = tuple(loc.language for loc in listing.locales)
        pushed = ev.ListingPushed(source=self.name, application_id=application_id, languages=languages,
                                  images=images, edit_id=edit.id, dry_run=dry_run)
        if dry_run:
            self._record(pushed)
        else:
            self._commit(edit, pushed, lambda: ev.CommitOutcomeUnknown(
                source=self.name, application_id=application_id, edit_id=edit.id, action="listing",
                listing_parts=listing_parts(listing), digest=pushed_digest(listing),
                changes=(f"listing of {application_id} for {', '.join(languages)} with {images} images",)))
        return {"application_id": application_id, "languages": list(languages), "images": images,
                "dry_run": dry_run, "edit_id": edit.id, "steps": edit.steps}

    def health(self) -> Health:
        return play_key_health(self.ctx.secrets)
