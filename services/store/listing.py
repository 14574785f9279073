"""Loading a package's store listing (for the release check and for uploads to Google Play)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.store.listing import ImageFacts, StoreListing, listing_problems, parse_listing
from services.template_manifest import read_manifest_json


def load_listing(package_dir: Path) -> StoreListing | None:
    """The listing in ``package_dir/template.json`` with absolute image paths, or None when it has none.

    A small typed entry point for publishers: text per locale, the feature graphic, phone screenshots.
    """
    manifest = read_manifest_json(package_dir)
    raw = manifest.get("listing") if isinstance(manifest, dict) else None
    return parse_listing(raw, package_dir) if raw is not None else None


def image_facts(path: Path) -> ImageFacts | None:
    if not path.is_file():
        return None
    try:
        with Image.open(path) as im:
            alpha = "A" in im.getbands() or "transparency" in im.info
            return ImageFacts(im.width, im.height, str(im.format), im.mode, alpha, path.stat().st_size)
    except (UnidentifiedImageError, OSError):
        return None


def check_listing(listing: StoreListing) -> list[tuple[str, str]]:
    paths = [p for text in listing.locales.values() for p in text.phone_screenshots]
    if listing.feature_graphic is not None:
        paths.append(listing.feature_graphic)
    return listing_problems(listing, {p: image_facts(p) for p in paths})



def package_release_notes(package_dir: Path) -> dict[str, tuple[str, str]]:
    """The release notes a package declares: locale -> (text, where it was read, for a message).

    ``listing.locales.<locale>.release_notes`` in template.json; for a locale without them, fastlane's
    ``listing/<locale>/changelogs/default.txt``. Empty notes are left out; Play's limits are checked by the caller.
    """
    notes: dict[str, tuple[str, str]] = {}
    declared = load_listing(package_dir)
    for locale, entry in (declared.locales if declared is not None else {}).items():
        if entry.release_notes.strip():
            notes[locale] = (entry.release_notes, f"listing.locales.{locale}.release_notes of template.json")
    for path in sorted((package_dir / "listing").glob("*/changelogs/default.txt")):
        locale = path.parent.parent.name
        text = path.read_text(encoding="utf-8")
        if locale not in notes and text.strip():
            notes[locale] = (text, path.relative_to(package_dir).as_posix())
    return notes
