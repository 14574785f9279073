"""Draw the sample templates' icon artwork (one square 1024x1024 PNG per sample, transparent background).

The build turns each into the launcher icons; this only makes the source images, once:
    .venv/bin/python scripts/sample_art.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"
SIZE = 1024
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def quotes() -> Image.Image:
    im = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((150, 200, 874, 760), radius=90, fill=(255, 248, 225, 255))
    d.polygon([(300, 740), (300, 900), (470, 750)], fill=(255, 248, 225, 255))
    font = ImageFont.truetype(FONT, 620)
    d.text((512, 560), "\u201c", font=font, fill=(255, 179, 0, 255), anchor="mm")
    return im


def trivia() -> Image.Image:
    im = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.ellipse((170, 170, 854, 854), fill=(0, 229, 255, 255))
    d.ellipse((230, 230, 794, 794), fill=(255, 255, 255, 255))
    font = ImageFont.truetype(SANS, 520)
    d.text((512, 530), "?", font=font, fill=(106, 27, 154, 255), anchor="mm")
    return im


def wallpapers() -> Image.Image:
    im = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((160, 190, 864, 834), radius=70, fill=(255, 255, 255, 255))
    d.rounded_rectangle((200, 230, 824, 794), radius=40, fill=(178, 235, 242, 255))
    d.ellipse((600, 290, 740, 430), fill=(255, 112, 67, 255))
    d.polygon([(200, 794), (420, 470), (560, 650), (640, 560), (824, 794)], fill=(0, 121, 107, 255))
    d.polygon([(360, 794), (520, 600), (700, 794)], fill=(0, 77, 64, 255))
    return im


def main() -> int:
    for name, draw in (("quotes-daily", quotes), ("trivia-quiz", trivia), ("wallpaper-pack", wallpapers)):
        out = SAMPLES / name / "icon.png"
        draw().save(out, optimize=True)
        print(out.relative_to(SAMPLES.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
