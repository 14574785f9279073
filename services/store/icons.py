"""Launcher icons generated with Pillow from one square source image in the package.

Per app: legacy ``mipmap-<density>/ic_launcher.png`` (48dp: 48..192 px) drawn on the theme colour,
and an adaptive icon (``mipmap-anydpi-v26/ic_launcher.xml``) whose background layer is the theme
colour and whose foreground layer is the artwork (``ic_launcher_foreground.png``, 108dp with the art
inside the 72dp safe area). The artwork's hue is turned by ``branding.hue_shift`` so a derived app
looks different from its base.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import UserError
from app.store.branding import Branding, is_light, rgb
from app.store.policy import ICON_SOURCE_MIN_PX

if TYPE_CHECKING:  # Pillow is imported where an image is made: listing templates needs none
    from PIL import Image

DENSITIES = {"mdpi": 1.0, "hdpi": 1.5, "xhdpi": 2.0, "xxhdpi": 3.0, "xxxhdpi": 4.0}
LEGACY_DP = 48
ADAPTIVE_DP = 108
SAFE_DP = 72
PLAY_ICON_PX = 512

ADAPTIVE_XML = """<?xml version="1.0" encoding="utf-8"?>
<adaptive-icon xmlns:android="http://schemas.android.com/apk/res/android">
    <background android:drawable="@color/ic_launcher_background" />
    <foreground android:drawable="@mipmap/ic_launcher_foreground" />
</adaptive-icon>
"""


def icon_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a launcher icon source, or None."""
    if not path.is_file():
        return "is missing from the package"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:
            fmt, (w, h) = im.format, im.size
    except (UnidentifiedImageError, OSError, SyntaxError):
        return "is not a readable image"
    if fmt != "PNG":
        return f"is a {fmt} image, not a PNG"
    if w != h:
        return f"is {w}x{h}, not square"
    if w < ICON_SOURCE_MIN_PX:
        return f"is {w}x{h}, smaller than {ICON_SOURCE_MIN_PX}x{ICON_SOURCE_MIN_PX}"
    return None


def load_artwork(path: Path, hue_shift: int) -> Image.Image:
    problem = icon_problem(path)
    if problem:
        raise UserError(f"the icon source {path.name} {problem}; use a square PNG of at least "
                        f"{ICON_SOURCE_MIN_PX}x{ICON_SOURCE_MIN_PX}")
    from PIL import Image

    with Image.open(path) as im:
        art = im.convert("RGBA")
    return shift_hue(art, hue_shift) if hue_shift % 360 else art


def shift_hue(image: Image.Image, degrees: int) -> Image.Image:
    from PIL import Image

    alpha = image.getchannel("A")
    h, s, v = image.convert("RGB").convert("HSV").split()
    turn = round(degrees % 360 * 255 / 360)
    h = h.point(lambda x: (x + turn) % 256)
    out = Image.merge("HSV", (h, s, v)).convert("RGB").convert("RGBA")
    out.putalpha(alpha)
    return out


def _legacy(art: Image.Image, size: int, background: str) -> Image.Image:
    """The artwork on a rounded square of the theme colour (pre-Android 8 launchers)."""
    from PIL import Image, ImageDraw

    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    inset = max(1, round(size * 2 / LEGACY_DP))
    radius = round(size * 0.18)
    ImageDraw.Draw(canvas).rounded_rectangle((inset, inset, size - inset - 1, size - inset - 1),
                                             radius=radius, fill=(*rgb(background), 255))
    inner = round(size * 0.78)
    glyph = art.resize((inner, inner), Image.Resampling.LANCZOS)
    offset = (size - inner) // 2
    canvas.alpha_composite(glyph, (offset, offset))
    return canvas


def _foreground(art: Image.Image, size: int) -> Image.Image:
    from PIL import Image

    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    inner = round(size * SAFE_DP / ADAPTIVE_DP)
    glyph = art.resize((inner, inner), Image.Resampling.LANCZOS)
    offset = (size - inner) // 2
    canvas.alpha_composite(glyph, (offset, offset))
    return canvas


def play_icon(art: Image.Image, background: str) -> Image.Image:
    """The 512x512 store icon: full-bleed theme colour with the artwork (Play rounds the corners)."""
    from PIL import Image

    canvas = Image.new("RGBA", (PLAY_ICON_PX, PLAY_ICON_PX), (*rgb(background), 255))
    inner = round(PLAY_ICON_PX * 0.74)
    offset = (PLAY_ICON_PX - inner) // 2
    canvas.alpha_composite(art.resize((inner, inner), Image.Resampling.LANCZOS), (offset, offset))
    return canvas


def write_launcher_icons(source: Path, res: Path, branding: Branding) -> list[Path]:
    """Write every density's legacy icon, the adaptive layers and the branding colours under ``res``."""
    art = load_artwork(source, branding.hue_shift)
    written: list[Path] = []
    for density, scale in DENSITIES.items():
        folder = res / f"mipmap-{density}"
        folder.mkdir(parents=True, exist_ok=True)
        legacy = folder / "ic_launcher.png"
        _legacy(art, round(LEGACY_DP * scale), branding.theme_color).save(legacy, optimize=True)
        fg = folder / "ic_launcher_foreground.png"
        _foreground(art, round(ADAPTIVE_DP * scale)).save(fg, optimize=True)
        written += [legacy, fg]
    anydpi = res / "mipmap-anydpi-v26"
    anydpi.mkdir(parents=True, exist_ok=True)
    (anydpi / "ic_launcher.xml").write_text(ADAPTIVE_XML, encoding="utf-8")
    written.append(anydpi / "ic_launcher.xml")
    return written


def branding_values_xml(branding: Branding) -> str:
    light = "true" if is_light(branding.theme_color) else "false"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<resources>\n'
        f'    <color name="tf_theme">{branding.theme_color}</color>\n'
        f'    <color name="tf_accent">{branding.accent_color}</color>\n'
        f'    <color name="ic_launcher_background">{branding.theme_color}</color>\n'
        f'    <bool name="tf_light_bars">{light}</bool>\n'
        "</resources>\n"
    )
