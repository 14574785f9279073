"""What a listing push puts on Play, as a digest both sides can compute: the pushed listing's texts and image
hashes, and what Play has for the same languages and image types. Comparing the two settles a listing commit
whose answer was lost (did Play apply it?) without pushing it a second time."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from app.releases.listing import ImageType, StoreListing
from services.releases.edits import Edit

TEXT_KEYS = ("title", "shortDescription", "fullDescription")


def listing_parts(listing: StoreListing) -> tuple[str, ...]:
    """What the push replaces: each language's texts ("en-US") and each image set ("en-US:phoneScreenshots")."""
    out: list[str] = []
    for loc in listing.locales:
        out.append(loc.language)
        out.extend(f"{loc.language}:{kind.value}" for kind in sorted(loc.images))
    return tuple(out)


def pushed_digest(listing: StoreListing) -> str:
    state: dict[str, Any] = {}
    for loc in listing.locales:
        texts = loc.to_api()
        state[loc.language] = {k: texts[k] for k in TEXT_KEYS}
        for kind, paths in loc.images.items():
            state[f"{loc.language}:{kind.value}"] = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]
    return _digest(state)


def play_digest(edit: Edit, parts: tuple[str, ...]) -> str:
    """The same digest over what Play has now for ``parts`` (read inside ``edit``)."""
    listings = {str(item.get("language", "")): item for item in edit.listings()}
    state: dict[str, Any] = {}
    for part in parts:
        language, _, kind = part.partition(":")
        if kind:
            state[part] = [str(image.get("sha256", "")) for image in edit.images(language, ImageType(kind))]
        else:
            state[part] = {k: str(listings.get(language, {}).get(k, "")) for k in TEXT_KEYS}
    return _digest(state)


def _digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
