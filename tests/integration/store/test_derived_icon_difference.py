"""Every turn a derived app can get makes the sample's launcher icon recognisably different from its base's
(a mean pixel change over 20 of 255, the trend-to-release test's bar)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from app.store.branding import Branding
from services.store.icons import write_launcher_icons

SAMPLE = Path(str(resources.files("resources.samples") / "quotes-daily"))


def _icon(out: Path, branding: Branding) -> Image.Image:
    manifest = json.loads((SAMPLE / "template.json").read_text())
    write_launcher_icons(SAMPLE / manifest["branding"]["icon"], out, branding)
    with Image.open(out / "mipmap-xxxhdpi" / "ic_launcher.png") as image:
        return image.convert("RGB")


@pytest.mark.parametrize("turn", [125, 150, 180, 210, 235])
def test_each_turn_a_derived_app_can_get_changes_the_icon_visibly(tmp_path: Path, turn: int) -> None:
    base = Branding.from_manifest(json.loads((SAMPLE / "template.json").read_text()))
    before, after = _icon(tmp_path / "base", base), _icon(tmp_path / "made", base.shifted(turn))
    change = sum(ImageStat.Stat(ImageChops.difference(before, after)).mean) / 3
    assert change > 20, change
