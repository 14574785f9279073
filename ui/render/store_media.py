"""Store screenshots and the feature graphic of a template, made from its own web UI.

The web UI is rendered in a child process (``ui.render.web_shots``): QtWebEngine wants its own
QApplication and must never run on the GUI thread of the app. Optional: without QtWebEngine the
caller gets a clear UserError and can add screenshots by hand.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import UserError
from app.store.branding import Branding
from app.store.policy import PHONE_SCREENSHOT_SIZE
from services.store.media import DEFAULT_CAPTURE, feature_graphic, stage_web


@dataclass(frozen=True)
class StoreMedia:
    screenshots: list[Path]
    feature_graphic: Path


def webengine_available() -> bool:
    return importlib.util.find_spec("PySide6.QtWebEngineWidgets") is not None


def generate(package_dir: Path, manifest: dict[str, Any], out: Path, *, timeout_s: float = 180) -> StoreMedia:
    """Render each ``listing.capture`` route (default: the start page, and the routes' count at least 2)."""
    if not webengine_available():
        raise UserError("screenshots need QtWebEngine (the pyside6-addons package); install it, or add PNG "
                        "screenshots to listing.locales.<locale>.phone_screenshots by hand")
    branding = Branding.from_manifest(manifest)
    capture = list((manifest.get("listing") or {}).get("capture") or DEFAULT_CAPTURE)
    if len(capture) < 2:
        capture = [*capture, *([capture[-1]] * (2 - len(capture)))]
    out.mkdir(parents=True, exist_ok=True)
    width, height = PHONE_SCREENSHOT_SIZE
    with tempfile.TemporaryDirectory(prefix="tf-shots-") as tmp:
        root = stage_web(package_dir, Path(tmp) / "web", dict(manifest.get("content") or {}),
                         str(manifest.get("app_name", "")), branding)
        done = subprocess.run(
            [sys.executable, "-m", "ui.render.web_shots", "--root", str(root), "--out", str(out),
             "--size", f"{width}x{height}", "--scale", "3", *capture],
            capture_output=True, text=True, timeout=timeout_s)
    if done.returncode != 0:
        reason = next((ln for ln in reversed(done.stderr.splitlines()) if ln.startswith("web_shots:")),
                      f"the renderer exited with code {done.returncode}")
        raise UserError(f"could not render the web UI: {reason}")
    shots = [Path(line) for line in done.stdout.splitlines() if line.strip()]
    graphic = out / "feature-graphic.png"
    title = str(manifest.get("app_name") or manifest.get("title", ""))
    texts = (manifest.get("listing") or {}).get("locales") or {}
    first: dict[str, Any] = next(iter(texts.values()), {}) if isinstance(texts, dict) else {}
    tagline = str(first.get("short_description") or manifest.get("description", ""))
    feature_graphic(package_dir, branding, title, tagline).save(graphic)
    return StoreMedia(shots, graphic)
