"""A store listing folder in fastlane's layout, for the Play tests and the release benchmark.

Its images are what Play Console takes: a 512x512 32-bit PNG icon, a 1024x500 24-bit PNG feature
graphic and 1080x1920 24-bit PNG phone screenshots (drawn here, a few KB each).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ICON = (512, 512)
FEATURE_GRAPHIC = (1024, 500)
SCREENSHOT = (1080, 1920)


def write_image(path: Path, size: tuple[int, int], mode: str = "RGB", *, fmt: str = "PNG") -> Path:
    """A plain image of ``size`` in Pillow's ``mode`` ("RGB" 24-bit, "RGBA" 32-bit, "P" palette)."""
    colour = (40, 110, 200, 255) if mode == "RGBA" else (40, 110, 200)
    image = Image.new("RGBA" if mode == "RGBA" else "RGB", size, colour)
    if mode not in ("RGB", "RGBA"):
        image = image.convert(mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, fmt)
    return path


def write_listing(root: Path, titles: dict[str, str], *, screenshots: int = 3, feature_graphic: bool = True) -> Path:
    """``root/<language>/`` texts, an icon, optionally a feature graphic, and ``screenshots`` phone screenshots."""
    for lang, title in titles.items():
        folder = root / lang
        shots = folder / "images" / "phoneScreenshots"
        shots.mkdir(parents=True)
        (folder / "title.txt").write_text(title, encoding="utf-8")
        (folder / "short_description.txt").write_text("Ten questions a day.", encoding="utf-8")
        (folder / "full_description.txt").write_text("A daily trivia quiz.\nNo ads.", encoding="utf-8")
        write_image(folder / "images" / "icon.png", ICON, "RGBA")
        if feature_graphic:
            write_image(folder / "images" / "featureGraphic.png", FEATURE_GRAPHIC)
        for n in range(screenshots):
            write_image(shots / f"{n}.png", SCREENSHOT)
    return root
