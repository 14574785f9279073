"""Store screenshots generated from each sample app's own web UI at phone size, headlessly (QtWebEngine in a
child process), and the samples' committed listings that were made that way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from app.store.policy import PHONE_SCREENSHOT_SIZE
from services.store.listing import check_listing, load_listing
from ui.render.store_media import generate, webengine_available

SAMPLES = Path(__file__).resolve().parents[3] / "resources" / "samples"
SAMPLE_IDS = ("quotes-daily", "trivia-quiz", "wallpaper-pack")


def _not_blank(path: Path) -> None:
    with Image.open(path) as im:
        stat = ImageStat.Stat(im.convert("L"))
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    assert stat.stddev[0] > 10, f"{path.name} is nearly one flat colour"
    assert colours is None or len(colours) > 50, f"{path.name} has only {len(colours)} colours"


@pytest.mark.slow
@pytest.mark.skipif(not webengine_available(), reason="QtWebEngine (pyside6-addons) is not installed")
def test_screenshots_are_rendered_from_each_sample_ui(tmp_path: Path) -> None:
    firsts: list[bytes] = []
    for template_id in SAMPLE_IDS:
        manifest = json.loads((SAMPLES / template_id / "template.json").read_text())
        media = generate(SAMPLES / template_id, manifest, tmp_path / template_id)
        assert len(media.screenshots) == len(manifest["listing"]["capture"]) >= 2
        for shot in media.screenshots:
            with Image.open(shot) as im:
                assert im.size == PHONE_SCREENSHOT_SIZE and im.format == "PNG"
            _not_blank(shot)
        with Image.open(media.feature_graphic) as im:
            assert im.size == (1024, 500)
        with Image.open(media.screenshots[0]) as im:
            firsts.append(im.convert("RGB").resize((108, 192)).tobytes())
    assert len(set(firsts)) == len(SAMPLE_IDS)  # each app looks like itself


@pytest.mark.parametrize("template_id", SAMPLE_IDS)
def test_committed_sample_listings_pass_plays_rules(template_id: str) -> None:
    listing = load_listing(SAMPLES / template_id)
    assert listing is not None and listing.default is not None
    assert check_listing(listing) == []
    for shot in listing.default.phone_screenshots:
        _not_blank(shot)
