"""A store listing folder in fastlane's layout, for the Play tests and the release benchmark."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREVIEW = ROOT / "resources" / "samples" / "trivia-quiz" / "preview.png"


def write_listing(root: Path, titles: dict[str, str], *, screenshots: int = 3, feature_graphic: bool = True) -> Path:
    """``root/<language>/`` texts, an icon, optionally a feature graphic, and ``screenshots`` phone screenshots."""
    for lang, title in titles.items():
        folder = root / lang
        shots = folder / "images" / "phoneScreenshots"
        shots.mkdir(parents=True)
        (folder / "title.txt").write_text(title, encoding="utf-8")
        (folder / "short_description.txt").write_text("Ten questions a day.", encoding="utf-8")
        (folder / "full_description.txt").write_text("A daily trivia quiz.\nNo ads.", encoding="utf-8")
        shutil.copy(PREVIEW, folder / "images" / "icon.png")
        if feature_graphic:
            shutil.copy(PREVIEW, folder / "images" / "featureGraphic.png")
        for n in range(screenshots):
            shutil.copy(PREVIEW, shots / f"{n}.png")
    return root
