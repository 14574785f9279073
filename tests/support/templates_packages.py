"""Template packages for tests (the samples, zips built on purpose, the store's state): shared by the
templates integration and GUI tests."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import text

from services.bootstrap import Services

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
SAMPLE_IDS = ("quotes-daily", "trivia-quiz", "wallpaper-pack")
def sample_manifest(slug: str = "quotes-daily") -> dict[str, Any]:
    """The sample's manifest without what names files a bare test package does not carry (icon, listing)."""
    manifest: dict[str, Any] = json.loads((SAMPLES / slug / "template.json").read_text())
    manifest.pop("branding", None)
    manifest.pop("listing", None)
    return manifest


def build_zip(path: Path, members: dict[str, bytes], *, manifest: dict[str, Any] | bool | None = True) -> Path:
    """Write a zip with ``template.json`` (a valid one unless told) plus ``members``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if manifest is True:
            m = sample_manifest()
            m.pop("preview")
            zf.writestr("template.json", json.dumps(m))
        elif isinstance(manifest, dict):
            zf.writestr("template.json", json.dumps(manifest))
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def snapshot(services: Services) -> dict[str, Any]:
    """Everything an import may touch: tables, FTS index, template events, and the store files."""
    with services.ctx.engine.connect() as conn:
        templates = conn.execute(text("SELECT * FROM templates ORDER BY seq")).all()
        reviews = conn.execute(text("SELECT * FROM template_reviews ORDER BY seq")).all()
        index = "templates_fts" if conn.dialect.name == "sqlite" else "templates WHERE search IS NOT NULL"
        fts = conn.execute(text(f"SELECT count(*) FROM {index}")).scalar_one()
        events = conn.execute(text("SELECT type, payload FROM events WHERE type LIKE 'template.%' ORDER BY seq")).all()
    store = services.templates.store_dir
    files: dict[str, str] = {}
    if store.exists():
        for p in sorted(store.rglob("*")):
            rel = p.relative_to(store).as_posix()
            files[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return {"templates": [tuple(r) for r in templates], "reviews": [tuple(r) for r in reviews], "fts": fts,
            "events": [tuple(e) for e in events], "files": files}
