"""One Play edit: insert -> (uploads, listings, images, tracks) -> validate -> commit or delete.

The order is fastlane supply's and gradle-play-publisher's. Nothing is visible on Play until the
commit; a dry run validates and deletes the edit.
"""

from __future__ import annotations

import contextlib
import mimetypes
from pathlib import Path, PurePath
from typing import Any

from app.errors import ProviderError
from app.jsonvalue import JsonObject, as_array, as_int, as_object
from app.releases.listing import ImageType, LocaleListing
from app.releases.model import Track
from services.releases.api import CommitOutcomeLostError, PlayApi


class Edit:
    def __init__(self, api: PlayApi, package: str, edit_id: str) -> None:
        self.api = api
        self.package = package
        self.id = edit_id
        self.steps: list[str] = []
        self.closed = False

    @classmethod
    def insert(cls, api: PlayApi, package: str) -> Edit:
        body = api.json("POST", api.url(package, "/edits"), json={}, package=package)
        edit = cls(api, package, str(body["id"]))
        edit.steps.append("insert")
        return edit

    def _u(self, tail: str, *, upload: bool = False) -> str:
        return self.api.url(self.package, f"/edits/{self.id}{tail}", upload=upload)

    def _json(self, method: str, tail: str, **kwargs: Any) -> JsonObject:  # kwargs: httpx.Client.request's
        return self.api.json(method, self._u(tail), package=self.package, **kwargs)

    # -- reads -----------------------------------------------------------------------------------
    def tracks(self) -> list[Track]:
        return [Track.from_api(as_object(t, "a track")) for t in as_array(self._json("GET", "/tracks").get("tracks", []), "tracks")]

    def track(self, name: str) -> Track:
        found = next((t for t in self.tracks() if t.name == name), None)
        return found if found is not None else Track(name)

    def uploaded_codes(self) -> set[int]:
        """Every versionCode the app has on Play (bundles and APKs), on a track or not."""
        codes: set[int] = set()
        for kind in ("bundles", "apks"):
            for item in as_array(self._json("GET", f"/{kind}").get(kind, []), kind):
                codes.add(as_int(as_object(item, f"one of the {kind}").get("versionCode", 0), "a versionCode"))
        return codes

    def listings(self) -> list[JsonObject]:
        return [as_object(x, "a listing") for x in as_array(self._json("GET", "/listings").get("listings", []), "listings")]

    def images(self, language: str, kind: ImageType) -> list[JsonObject]:
        """The images of one type Play has for a language (each with its sha256)."""
        body = self._json("GET", f"/listings/{language}/{kind.value}")
        return [as_object(x, "an image") for x in as_array(body.get("images", []), "images")]

    # -- writes ----------------------------------------------------------------------------------
    def upload(self, artifact: Path) -> int:
        kind = "bundles" if artifact.suffix == ".aab" else "apks"
        content_type = "application/octet-stream" if kind == "bundles" else "application/vnd.android.package-archive"
        body = self.api.upload_resumable(self._u(f"/{kind}", upload=True), artifact, content_type, package=self.package)
        self.steps.append("upload")
        return as_int(body.get("versionCode"), "the uploaded versionCode")

    def put_track(self, track: Track) -> None:
        self._json("PUT", f"/tracks/{track.name}", json=track.to_api())
        self.steps.append(f"track:{track.name}")

    def put_listing(self, listing: LocaleListing) -> None:
        self._json("PUT", f"/listings/{listing.language}", json=listing.to_api())
        self.steps.append(f"listing:{listing.language}")

    def replace_images(self, language: str, kind: ImageType, paths: tuple[PurePath, ...]) -> int:
        """Replace the whole set of one image type (deleteall, then upload each)."""
        self._json("DELETE", f"/listings/{language}/{kind.value}")
        for p in paths:
            path = Path(p)
            mime = mimetypes.guess_type(path.name)[0] or "image/png"
            # the bytes, not an open file: a retried upload sends the whole image again (at most a few MB)
            self.api.json("POST", self._u(f"/listings/{language}/{kind.value}", upload=True),
                          params={"uploadType": "media"}, content=path.read_bytes(), headers={"Content-Type": mime},
                          package=self.package)
        self.steps.append(f"images:{language}:{kind.value}:{len(paths)}")
        return len(paths)

    def validate(self) -> None:
        self._json("POST", ":validate")
        self.steps.append("validate")

    def commit(self) -> None:
        """Commit once. A lost answer raises CommitOutcomeLostError; only a 429 (not processed) is retried."""
        for attempt in range(1, 5):
            try:
                self.api.request("POST", self._u(":commit"), retry=False, package=self.package)
            except ProviderError as exc:
                if exc.status_code == 429 and attempt < 4:
                    self.api.sleep(exc.retry_after if exc.retry_after is not None else 1.0)
                    continue
                if exc.transient:
                    self.closed = True  # it may be committed: never delete or reuse it blindly
                    raise CommitOutcomeLostError(
                        f"Google Play's answer to committing edit {self.id} for {self.package} was lost ({exc}); "
                        "the next release step asks Play what happened first", provider="play", transient=False,
                    ) from None
                raise
            break
        self.closed = True
        self.steps.append("commit")

    def delete(self) -> None:
        if self.closed:
            return
        self._json("DELETE", "")
        self.closed = True
        self.steps.append("delete")

    def abandon(self) -> None:
        """Delete on the way out of a failure; a failing delete must not hide the first error."""
        with contextlib.suppress(ProviderError):
            self.delete()

    def exists(self) -> bool:
        """Whether the edit is still open on Play (a committed or deleted edit is gone)."""
        try:
            self._json("GET", "")
        except ProviderError as exc:
            if exc.status_code in (400, 404):
                return False
            raise
        return True
