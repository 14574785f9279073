"""A template made from a manifest alone ("New…" with the blank base) is a real app: it builds and signs."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.builds.model import BuildState
from services.bootstrap import Services
from tests.support.qasync_loop import build_ended


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_a_new_blank_template_builds_into_a_signed_apk(services: Services, qapp: Any) -> None:
    info = services.templates.create({"id": "cafe-menu", "title": "Cafe Menu", "category": "lifestyle",
                                      "version": "1.0.0", "app_name": "Cafe Menu",
                                      "application_id": "com.indie.cafemenu",
                                      "content": {"items": ["Espresso", "Flat white"]}})
    folder = services.templates.package_dir(info.id)
    assert (folder / "web" / "index.html").is_file() and (folder / "icon.png").is_file()
    builds = services.builds
    builds.create_key("upload")
    try:
        done = build_ended(builds, builds.start_build("cafe-menu", "1.0.0", "apk").id, 240)
        assert done.state is BuildState.SIGNED, done.error
        with zipfile.ZipFile(Path(done.artifact_path or "")) as zf:
            assert b"Flat white" in zf.read("assets/web/content.json")
            assert "res/mipmap-anydpi-v26/ic_launcher.xml" in zf.namelist()
    finally:
        builds.shutdown()


def test_new_from_a_stored_base_is_its_own_app(services: Services) -> None:
    from importlib import resources

    base = services.templates.import_path(Path(str(resources.files("resources.samples") / "quotes-daily")))
    assert base.error is None
    made = services.templates.create({"id": "stoic-daily", "title": "Stoic Daily", "category": "lifestyle",
                                      "version": "1.0.0", "app_name": "Stoic Daily",
                                      "application_id": "com.indie.stoic"}, base_id="quotes-daily")
    assert made.content == services.templates.get("quotes-daily").content
    import json

    manifest = json.loads((services.templates.package_dir("stoic-daily") / "template.json").read_text())
    assert manifest["branding"]["hue_shift"] != 0  # a turned icon, not the base's
    assert "listing" not in manifest  # the base's store text describes the base app
