"""Make the sample templates' store media from their own web UI (phone screenshots, feature graphic)
and write their listings into template.json:
    .venv/bin/python scripts/sample_listing.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.store.media import listing_with_media  # noqa: E402
from ui.render.store_media import generate  # noqa: E402

SAMPLES = ROOT / "resources" / "samples"
LOCALE = "en-US"


def main() -> int:
    for name in ("quotes-daily", "trivia-quiz", "wallpaper-pack"):
        pkg = SAMPLES / name
        manifest = json.loads((pkg / "template.json").read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            media = generate(pkg, manifest, Path(tmp))
            dest = pkg / "listing" / LOCALE
            dest.mkdir(parents=True, exist_ok=True)
            shots = []
            for shot in media.screenshots:
                shutil.copyfile(shot, dest / shot.name)
                shots.append(f"listing/{LOCALE}/{shot.name}")
            shutil.copyfile(media.feature_graphic, pkg / "listing" / "feature-graphic.png")
        listing = listing_with_media(manifest, LOCALE, shots, "listing/feature-graphic.png")
        manifest["listing"] = listing
        content = manifest.pop("content")
        manifest["content"] = content
        (pkg / "template.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(name, shots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
