"""A new app made from a base template: its own id, title, app name, application id and look."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.store.branding import Branding, derived_hue_shift


def derived_application_id(base: str, new_id: str) -> str:
    """The base's application id plus a segment from the new template id (a letter first, as Android wants)."""
    segment = re.sub(r"[^a-z0-9_]", "_", new_id.lower())
    if not segment[:1].isalpha():
        segment = f"t{segment}"
    base = base if "." in base else "com.trendforge.app"
    return f"{base[:150 - len(segment) - 1]}.{segment}"


def derived_manifest(base: Mapping[str, Any], new_id: str, title: str) -> dict[str, Any]:
    """The base's manifest as a different app: the base's name and application id would make a release
    an update of the base app, and the same icon would make it look like one. The icon artwork and the
    colours are turned round the colour wheel by an amount that depends on the new id."""
    manifest = dict(base)
    manifest["id"] = new_id
    manifest["title"] = title
    manifest["app_name"] = title.strip()[:50] or new_id
    manifest["application_id"] = derived_application_id(str(base.get("application_id", "")), new_id)
    manifest["branding"] = Branding.from_manifest(base).shifted(derived_hue_shift(new_id)).to_manifest()
    manifest.pop("listing", None)  # the base's store text describes the base app
    return manifest
