"""Google Play's rules for store images, decided on facts read beforehand (no I/O here).

Play Console's graphic assets (checked against its help pages and the Android Publisher API's
behaviour): the hi-res icon is a 512x512 32-bit PNG (with alpha) of at most 1 MB; the feature
graphic is exactly 1024x500, a JPEG or a 24-bit PNG without alpha, at most 15 MB; a phone screenshot
is a JPEG or 24-bit PNG without alpha, each side 320 to 3840 px, the long side at most twice the
short one, at most 8 MB. Both the local check before an upload and the release check use this.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.store.policy import (
    FEATURE_GRAPHIC_MAX_BYTES,
    FEATURE_GRAPHIC_SIZE,
    ICON_MAX_BYTES,
    ICON_SIZE,
    SCREENSHOT_MAX_BYTES,
    SCREENSHOT_MAX_RATIO,
    SCREENSHOT_MAX_SIDE,
    SCREENSHOT_MIN_SIDE,
)


class ImageType(StrEnum):
    """Play's image types this app publishes (the API's names)."""

    ICON = "icon"
    FEATURE_GRAPHIC = "featureGraphic"
    PHONE_SCREENSHOTS = "phoneScreenshots"


_OPAQUE = "a JPEG or 24-bit PNG (no alpha)"
WHAT = {ImageType.ICON: "icon", ImageType.FEATURE_GRAPHIC: "feature graphic",
        ImageType.PHONE_SCREENSHOTS: "phone screenshot"}
NEEDS = {
    ImageType.ICON: f"a {ICON_SIZE[0]}x{ICON_SIZE[1]} 32-bit PNG (with alpha)",
    ImageType.FEATURE_GRAPHIC: f"exactly {FEATURE_GRAPHIC_SIZE[0]}x{FEATURE_GRAPHIC_SIZE[1]}, {_OPAQUE}",
    ImageType.PHONE_SCREENSHOTS: f"{_OPAQUE}, each side {SCREENSHOT_MIN_SIDE} to {SCREENSHOT_MAX_SIDE} px, "
                                 "the long side at most twice the short",
}
_MAX_BYTES = {ImageType.ICON: ICON_MAX_BYTES, ImageType.FEATURE_GRAPHIC: FEATURE_GRAPHIC_MAX_BYTES,
              ImageType.PHONE_SCREENSHOTS: SCREENSHOT_MAX_BYTES}


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    format: str  # "PNG", "JPEG", ... as Pillow names it
    mode: str = "RGB"  # Pillow's mode: "RGB" is 24-bit, "RGBA" 32-bit, "P" a palette, "L" grey
    alpha: bool = False  # an alpha channel or a transparent colour
    size_bytes: int = 0

    def describe(self) -> str:
        depth = {"RGB": "24-bit ", "RGBA": "32-bit ", "P": "palette ", "L": "greyscale ", "LA": "greyscale "}
        kind = f"{depth.get(self.mode, '') if self.format == 'PNG' else ''}{self.format}"
        return f"a {self.width}x{self.height} {kind}{' with alpha' if self.alpha and self.format == 'PNG' else ''}"


def image_problem(kind: ImageType, facts: ImageFacts | None) -> str | None:
    """What is wrong with one image of ``kind`` for Google Play (the file's name goes in front), or None."""
    what = WHAT[kind]
    if facts is None:
        return f"is missing or not an image; Play's {what} is {NEEDS[kind]}"
    wrong = f"is {facts.describe()}; Play's {what} is {NEEDS[kind]}"
    w, h = facts.width, facts.height
    if kind is ImageType.ICON:
        if facts.format != "PNG" or facts.mode != "RGBA" or (w, h) != ICON_SIZE:
            return wrong
    elif facts.format not in ("PNG", "JPEG") or (facts.format == "PNG" and (facts.mode != "RGB" or facts.alpha)):
        return wrong
    elif kind is ImageType.FEATURE_GRAPHIC:
        if (w, h) != FEATURE_GRAPHIC_SIZE:
            return wrong
    elif min(w, h) < SCREENSHOT_MIN_SIDE or max(w, h) > SCREENSHOT_MAX_SIDE:
        return f"is {w}x{h}; each side of a phone screenshot must be {SCREENSHOT_MIN_SIDE} to {SCREENSHOT_MAX_SIDE} px"
    elif max(w, h) > SCREENSHOT_MAX_RATIO * min(w, h):
        return f"is {w}x{h}; the long side of a phone screenshot may be at most twice the short side"
    limit = _MAX_BYTES[kind]
    if facts.size_bytes > limit:
        return f"is {facts.size_bytes / 1024 / 1024:.1f} MB; Play's {what} may be at most {limit // 1024 // 1024} MB"
    return None
