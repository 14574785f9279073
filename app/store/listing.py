"""The store listing a package carries (per locale), as typed values, and Play's rules for it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import UserError
from app.store.images import ImageFacts, ImageType, image_problem
from app.store.policy import (
    FULL_DESCRIPTION_MAX,
    PHONE_SCREENSHOTS_MAX,
    PHONE_SCREENSHOTS_MIN,
    RELEASE_NOTES_MAX,
    SHORT_DESCRIPTION_MAX,
    TITLE_MAX,
)

__all__ = ["DEFAULT_LOCALE", "ImageFacts", "LocaleListing", "StoreListing", "listing_problems", "parse_listing"]

LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?$")
DEFAULT_LOCALE = "en-US"


@dataclass(frozen=True)
class LocaleListing:
    locale: str
    title: str
    short_description: str
    full_description: str
    release_notes: str = ""
    phone_screenshots: tuple[Path, ...] = ()  # absolute paths inside the package


@dataclass(frozen=True)
class StoreListing:
    """What the Play publisher uploads: text per locale, the feature graphic, phone screenshots."""

    default_locale: str
    privacy_policy_url: str
    feature_graphic: Path | None
    locales: Mapping[str, LocaleListing]
    capture: tuple[str, ...] = ()  # the web UI's routes the screenshot generator renders, in order
    package_dir: Path = field(default=Path())

    @property
    def default(self) -> LocaleListing | None:
        return self.locales.get(self.default_locale)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.package_dir).as_posix()


def parse_listing(raw: Any, package_dir: Path) -> StoreListing:
    """``template.json``'s ``listing`` object as a :class:`StoreListing` (shape only; rules: ``listing_problems``)."""
    if not isinstance(raw, Mapping):
        raise UserError("listing must be an object with default_locale, privacy_policy_url, feature_graphic, locales")
    locales_raw = raw.get("locales") or {}
    if not isinstance(locales_raw, Mapping):
        raise UserError("listing.locales must map a locale such as en-US to its text")
    locales: dict[str, LocaleListing] = {}
    for locale, text in locales_raw.items():
        if not isinstance(text, Mapping):
            raise UserError(f"listing.locales.{locale} must be an object")
        shots = text.get("phone_screenshots") or []
        locales[str(locale)] = LocaleListing(
            locale=str(locale), title=str(text.get("title", "")),
            short_description=str(text.get("short_description", "")),
            full_description=str(text.get("full_description", "")),
            release_notes=str(text.get("release_notes", "")),
            phone_screenshots=tuple(package_dir / str(s) for s in shots),
        )
    graphic = raw.get("feature_graphic")
    return StoreListing(
        default_locale=str(raw.get("default_locale", DEFAULT_LOCALE)),
        privacy_policy_url=str(raw.get("privacy_policy_url", "")),
        feature_graphic=package_dir / str(graphic) if graphic else None,
        locales=locales,
        capture=tuple(str(c) for c in raw.get("capture") or ()),
        package_dir=package_dir,
    )


def listing_problems(listing: StoreListing, images: Mapping[Path, ImageFacts | None]) -> list[tuple[str, str]]:
    """(field, message) for every way the listing breaks Play's rules; ``images`` has what is on disk."""
    out: list[tuple[str, str]] = []
    if not LOCALE_RE.match(listing.default_locale):
        out.append(("listing.default_locale", f"{listing.default_locale!r} is not a locale; use e.g. en-US"))
    if listing.default is None:
        out.append((f"listing.locales.{listing.default_locale}",
                    "the default locale has no text; add title, short_description and full_description"))
    url = listing.privacy_policy_url
    if not url:
        out.append(("listing.privacy_policy_url", "missing; Play needs a privacy policy URL (https://...)"))
    elif not re.match(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", url):
        out.append(("listing.privacy_policy_url", f"{url!r} is not an https:// address; give the policy's web page"))
    for locale, text in listing.locales.items():
        where = f"listing.locales.{locale}"
        if not LOCALE_RE.match(locale):
            out.append((where, f"{locale!r} is not a locale; use e.g. en-US or de-DE"))
        for name, value, limit in (("title", text.title, TITLE_MAX),
                                   ("short_description", text.short_description, SHORT_DESCRIPTION_MAX),
                                   ("full_description", text.full_description, FULL_DESCRIPTION_MAX),
                                   ("release_notes", text.release_notes, RELEASE_NOTES_MAX)):
            if len(value) > limit:
                out.append((f"{where}.{name}", f"{len(value)} characters, over Play's limit of {limit}; shorten it"))
            elif not value.strip() and name != "release_notes":
                out.append((f"{where}.{name}", "is empty; write it"))
        shots = text.phone_screenshots
        if not PHONE_SCREENSHOTS_MIN <= len(shots) <= PHONE_SCREENSHOTS_MAX:
            out.append((f"{where}.phone_screenshots",
                        f"{len(shots)} screenshots; Play needs {PHONE_SCREENSHOTS_MIN} to {PHONE_SCREENSHOTS_MAX} "
                        "(generate them from the app's UI)"))
        for shot in shots:
            problem = image_problem(ImageType.PHONE_SCREENSHOTS, images.get(shot))
            if problem:
                name = listing.relative(shot) if shot.is_relative_to(listing.package_dir) else str(shot)
                out.append((f"{where}.phone_screenshots", f"{name} {problem}"))
    graphic = listing.feature_graphic
    if graphic is None:
        out.append(("listing.feature_graphic", "missing; add a 1024x500 PNG or JPEG"))
    else:
        problem = image_problem(ImageType.FEATURE_GRAPHIC, images.get(graphic))
        if problem:
            out.append(("listing.feature_graphic", f"{listing.relative(graphic)} {problem}"))
    return out
