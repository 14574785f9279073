"""Store images Play would refuse are refused before any call, in one line naming the file and the rule;
the stand-in refuses them too, as Play's upload endpoint does, when they are sent past the local check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.errors import ProviderError, UserError
from app.releases.listing import ImageType
from services.bootstrap import Services
from services.releases.edits import Edit
from services.releases.listing_files import load_listing_dir
from tests.support.play_listing import write_image, write_listing
from tests.support.play_standin import PlayStandIn

from .conftest import PACKAGE

BAD = {  # (image in the listing folder, size, Pillow mode, what the one line says)
    "graphic-size": ("images/featureGraphic.png", (360, 640), "RGB", "is a 360x640 24-bit PNG; Play's feature graphic "
                                                                     "is exactly 1024x500"),
    "graphic-alpha": ("images/featureGraphic.png", (1024, 500), "RGBA", "is a 1024x500 32-bit PNG with alpha; Play's "
                                                                        "feature graphic"),
    "icon-size": ("images/icon.png", (1024, 1024), "RGBA", "is a 1024x1024 32-bit PNG with alpha; Play's icon is a "
                                                           "512x512 32-bit PNG"),
    "icon-24bit": ("images/icon.png", (512, 512), "RGB", "is a 512x512 24-bit PNG; Play's icon is a 512x512 32-bit PNG"),
    "shot-small": ("images/phoneScreenshots/0.png", (300, 600), "RGB", "is 300x600; each side of a phone screenshot "
                                                                       "must be 320 to 3840 px"),
    "shot-large": ("images/phoneScreenshots/0.png", (1920, 3900), "RGB", "is 1920x3900; each side"),
    "shot-ratio": ("images/phoneScreenshots/1.png", (400, 1000), "RGB", "is 400x1000; the long side of a phone "
                                                                        "screenshot may be at most twice the short"),
    "shot-alpha": ("images/phoneScreenshots/1.png", (1080, 1920), "RGBA", "is a 1080x1920 32-bit PNG with alpha"),
    "shot-palette": ("images/phoneScreenshots/1.png", (1080, 1920), "P", "is a 1080x1920 palette PNG"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_image_play_refuses_is_refused_before_any_call(keyed: Services, play: PlayStandIn, tmp_path: Path,
                                                          case: str) -> None:
    where, size, mode, message = BAD[case]
    root = write_listing(tmp_path / "listing", {"en-US": "Trivia Quiz"})
    bad = write_image(root / "en-US" / where, size, mode)
    listing = load_listing_dir(root)
    play.calls.clear()
    with pytest.raises(UserError) as err:
        keyed.releases.push_listing(PACKAGE, listing)
    assert str(err.value).startswith(f"{bad} {message}")
    assert "\n" not in str(err.value)
    assert play.calls == []  # not even a token: Play is asked nothing


@pytest.mark.parametrize("count", [1, 9])
def test_a_screenshot_count_outside_2_to_8_is_refused_before_any_call(keyed: Services, play: PlayStandIn,
                                                                      tmp_path: Path, count: int) -> None:
    root = write_listing(tmp_path / "listing", {"en-US": "Trivia Quiz"}, screenshots=count)
    play.calls.clear()
    with pytest.raises(UserError, match=f"the en-US listing has {count} phone screenshots; Play takes 2 to 8"):
        keyed.releases.push_listing(PACKAGE, load_listing_dir(root))
    assert play.calls == []


def test_a_listing_play_takes_is_pushed(keyed: Services, play: PlayStandIn, tmp_path: Path) -> None:
    root = write_listing(tmp_path / "listing", {"en-US": "Trivia Quiz"}, screenshots=8)
    result = keyed.releases.push_listing(PACKAGE, load_listing_dir(root))
    assert result["images"] == 10
    assert len(play.apps[PACKAGE].images["en-US"]["phoneScreenshots"]) == 8


STANDIN = {  # (image type, size, mode, Play's answer)
    "graphic-size": (ImageType.FEATURE_GRAPHIC, (360, 640), "RGB", r"Feature graphic must be 1024x500 \(got 360x640\)"),
    "graphic-alpha": (ImageType.FEATURE_GRAPHIC, (1024, 500), "RGBA", "must be a JPEG or 24-bit PNG with no alpha"),
    "icon-size": (ImageType.ICON, (1024, 1024), "RGBA", "Icon must be a 512x512 32-bit PNG"),
    "icon-24bit": (ImageType.ICON, (512, 512), "RGB", "Icon must be a 512x512 32-bit PNG"),
    "shot-small": (ImageType.PHONE_SCREENSHOTS, (300, 600), "RGB", "Screenshot dimensions 300x600 are invalid"),
    "shot-large": (ImageType.PHONE_SCREENSHOTS, (1920, 3900), "RGB", "Screenshot dimensions 1920x3900 are invalid"),
    "shot-ratio": (ImageType.PHONE_SCREENSHOTS, (400, 1000), "RGB", "Screenshot dimensions 400x1000 are invalid"),
    "shot-alpha": (ImageType.PHONE_SCREENSHOTS, (1080, 1920), "RGBA", "must be a JPEG or 24-bit PNG with no alpha"),
    "shot-palette": (ImageType.PHONE_SCREENSHOTS, (1080, 1920), "P", "must be a JPEG or 24-bit PNG with no alpha"),
}


@pytest.mark.parametrize("case", sorted(STANDIN))
def test_the_standin_refuses_what_play_refuses(keyed: Services, play: PlayStandIn, tmp_path: Path,
                                               case: str) -> None:
    kind, size, mode, answer = STANDIN[case]
    image = write_image(tmp_path / "image.png", size, mode)
    edit = Edit.insert(keyed.releases.api(), PACKAGE)
    with pytest.raises(ProviderError, match=answer) as err:
        edit.replace_images("en-US", kind, (image,))  # past the local check, as a client without one would send it
    assert err.value.status_code == 400


def test_the_standin_refuses_to_validate_a_single_screenshot(keyed: Services,
                                                                              play: PlayStandIn, tmp_path: Path) -> None:
    edit = Edit.insert(keyed.releases.api(), PACKAGE)
    edit.replace_images("en-US", ImageType.PHONE_SCREENSHOTS, (write_image(tmp_path / "1.png", (1080, 1920)),))
    with pytest.raises(ProviderError, match="needs at least 2 phone screenshots"):
        edit.validate()


def test_a_dropped_image_upload_is_sent_again_whole(keyed: Services, play: PlayStandIn, tmp_path: Path) -> None:
    keyed.releases.sleep = lambda _s: None  # the retry's back-off, not waited out in a test
    root = write_listing(tmp_path / "listing", {"en-US": "Trivia Quiz"})
    graphic = root / "en-US" / "images" / "featureGraphic.png"
    play.fault("POST", r"/listings/en-US/featureGraphic$", "drop")  # Play read the bytes, then the line dropped
    keyed.releases.push_listing(PACKAGE, load_listing_dir(root))
    sent = play.apps[PACKAGE].images["en-US"]["featureGraphic"]
    assert [image["sha256"] for image in sent] == [hashlib.sha256(graphic.read_bytes()).hexdigest()]
