"""Store media made from the app itself: the web UI staged for rendering (with its content and app.json),
the 1024x500 feature graphic drawn with Pillow, and the listing that names them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import UserError
from app.store.branding import Branding, app_json, rgb
from app.store.listing import DEFAULT_LOCALE
from app.store.policy import FEATURE_GRAPHIC_SIZE, SHORT_DESCRIPTION_MAX, TITLE_MAX
from services.store.icons import load_artwork, play_icon

if TYPE_CHECKING:  # Pillow is imported where an image is made
    from PIL import Image, ImageDraw, ImageFont

DEFAULT_CAPTURE = ("",)


def stage_web(package_dir: Path, dest: Path, content: dict[str, Any], app_name: str, branding: Branding) -> Path:
    """``web/`` with ``content.json`` and ``app.json`` beside it, as the app and the web build serve it."""
    web = package_dir / "web"
    if not (web / "index.html").is_file():
        raise UserError(f"template package {package_dir.name} has no web/index.html to take screenshots of")
    shutil.copytree(web, dest, dirs_exist_ok=True)
    (dest / "content.json").write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    (dest / "app.json").write_text(app_json(app_name, branding), encoding="utf-8")
    return dest


def _darker(color: str, factor: float) -> tuple[int, int, int]:
    r, g, b = rgb(color)
    return round(r * factor), round(g * factor), round(b * factor)


def feature_graphic(package_dir: Path, branding: Branding, title: str, tagline: str) -> Image.Image:
    """The app's icon and name on its theme colour, 1024x500."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = FEATURE_GRAPHIC_SIZE
    top, bottom = rgb(branding.theme_color), _darker(branding.theme_color, 0.55)
    canvas = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(canvas)
    for y in range(h):
        t = y / (h - 1)
        draw.line([(0, y), (w, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    if branding.icon:
        icon = play_icon(load_artwork(package_dir / branding.icon, branding.hue_shift), branding.theme_color)
        icon = icon.resize((300, 300), Image.Resampling.LANCZOS)
        mask = Image.new("L", icon.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, 299, 299), radius=66, fill=255)
        canvas.paste(icon, (70, 100), mask)
    big = ImageFont.load_default(size=64)
    small = ImageFont.load_default(size=30)
    draw.text((410, 150), title[:TITLE_MAX], font=big, fill=(255, 255, 255))
    draw.rectangle((410, 242, 560, 250), fill=rgb(branding.accent_color))
    for i, line in enumerate(_wrap(draw, tagline, small, w - 410 - 50, lines=3)):
        draw.text((410, 280 + i * 40), line, font=small, fill=(235, 235, 235))
    return canvas


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          width: int, lines: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width:
            current = trial
            continue
        out.append(current)
        current = word
        if len(out) == lines:
            out[-1] = out[-1].rstrip(".,;:") + "…"
            return out
    if current:
        out.append(current)
    return out


def listing_with_media(manifest: dict[str, Any], locale: str, screenshots: list[str], graphic: str | None) -> dict[str, Any]:
    """The manifest's listing with these screenshots (and graphic); text starts from the template's own."""
    listing = dict(manifest.get("listing") or {})
    listing.setdefault("default_locale", DEFAULT_LOCALE)
    locales = dict(listing.get("locales") or {})
    description = str(manifest.get("description", "")).strip() or str(manifest.get("title", ""))
    text = dict(locales.get(locale) or {
        "title": str(manifest.get("app_name") or manifest.get("title", ""))[:TITLE_MAX],
        "short_description": (description[: SHORT_DESCRIPTION_MAX - 1] + "…") if len(description) > SHORT_DESCRIPTION_MAX
        else description,
        "full_description": description,
    })
    text["phone_screenshots"] = screenshots
    locales[locale] = text
    listing["locales"] = locales
    if graphic:
        listing["feature_graphic"] = graphic
    return listing
