"""Google Play's rules for store images (icon, feature graphic, phone screenshots), one refusal per case."""

from __future__ import annotations

import pytest

from app.store.images import ImageFacts, ImageType, image_problem

ICON = ImageType.ICON
GRAPHIC = ImageType.FEATURE_GRAPHIC
SHOT = ImageType.PHONE_SCREENSHOTS


@pytest.mark.parametrize(("kind", "facts"), [
    (ICON, ImageFacts(512, 512, "PNG", "RGBA", True, 40_000)),
    (GRAPHIC, ImageFacts(1024, 500, "PNG", "RGB", False, 40_000)),
    (GRAPHIC, ImageFacts(1024, 500, "JPEG", "RGB", False, 40_000)),
    (SHOT, ImageFacts(1080, 1920, "PNG", "RGB", False, 100_000)),
    (SHOT, ImageFacts(320, 640, "JPEG", "RGB", False, 100_000)),
    (SHOT, ImageFacts(3840, 1920, "PNG", "RGB", False, 100_000)),
])
def test_what_play_takes_passes(kind: ImageType, facts: ImageFacts) -> None:
    assert image_problem(kind, facts) is None


@pytest.mark.parametrize(("kind", "facts", "message"), [
    (GRAPHIC, ImageFacts(360, 640, "PNG"), "is a 360x640 24-bit PNG; Play's feature graphic is exactly 1024x500, "
                                           "a JPEG or 24-bit PNG (no alpha)"),
    (GRAPHIC, ImageFacts(1024, 500, "PNG", "RGBA", True), "is a 1024x500 32-bit PNG with alpha; Play's feature graphic"),
    (GRAPHIC, ImageFacts(1024, 500, "PNG", "P"), "is a 1024x500 palette PNG; Play's feature graphic"),
    (GRAPHIC, ImageFacts(1024, 500, "WEBP"), "is a 1024x500 WEBP; Play's feature graphic"),
    (GRAPHIC, ImageFacts(1024, 500, "PNG", size_bytes=16 * 1024 * 1024), "is 16.0 MB; Play's feature graphic may be "
                                                                         "at most 15 MB"),
])
def test_a_feature_graphic_play_refuses(kind: ImageType, facts: ImageFacts, message: str) -> None:
    assert (image_problem(kind, facts) or "").startswith(message)


@pytest.mark.parametrize(("facts", "message"), [
    (ImageFacts(1024, 1024, "PNG", "RGBA", True), "is a 1024x1024 32-bit PNG with alpha; Play's icon is a 512x512 "
                                                   "32-bit PNG (with alpha)"),
    (ImageFacts(512, 512, "PNG", "RGB"), "is a 512x512 24-bit PNG; Play's icon is a 512x512 32-bit PNG"),
    (ImageFacts(512, 512, "JPEG"), "is a 512x512 JPEG; Play's icon"),
    (ImageFacts(512, 512, "PNG", "RGBA", True, 2 * 1024 * 1024), "is 2.0 MB; Play's icon may be at most 1 MB"),
])
def test_an_icon_play_refuses(facts: ImageFacts, message: str) -> None:
    assert (image_problem(ICON, facts) or "").startswith(message)


@pytest.mark.parametrize(("facts", "message"), [
    (ImageFacts(300, 600, "PNG"), "is 300x600; each side of a phone screenshot must be 320 to 3840 px"),
    (ImageFacts(2000, 4000, "PNG"), "is 2000x4000; each side of a phone screenshot must be 320 to 3840 px"),
    (ImageFacts(400, 1200, "PNG"), "is 400x1200; the long side of a phone screenshot may be at most twice the short"),
    (ImageFacts(1080, 1920, "PNG", "RGBA", True), "is a 1080x1920 32-bit PNG with alpha; Play's phone screenshot is "
                                                   "a JPEG or 24-bit PNG (no alpha)"),
    (ImageFacts(1080, 1920, "PNG", "RGB", True), "is a 1080x1920 24-bit PNG with alpha; Play's phone screenshot"),
    (ImageFacts(1080, 1920, "JPEG", size_bytes=9 * 1024 * 1024), "is 9.0 MB; Play's phone screenshot may be at "
                                                                 "most 8 MB"),
])
def test_a_phone_screenshot_play_refuses(facts: ImageFacts, message: str) -> None:
    assert (image_problem(SHOT, facts) or "").startswith(message)


def test_a_missing_file_says_what_play_needs() -> None:
    assert image_problem(GRAPHIC, None) == ("is missing or not an image; Play's feature graphic is exactly 1024x500, "
                                            "a JPEG or 24-bit PNG (no alpha)")
