"""The templates area's workflow actions: a new template from a base, and archiving it (its compensation)."""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import NotFoundError, UserError
from app.store.derive import derived_manifest
from app.templates.model import TemplateStatus
from services.actions import ActionContext, ActionRegistry, Param

if TYPE_CHECKING:
    from services.templates.service import TemplatesService


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s or "app")[:40].strip("-")


def register_actions(registry: ActionRegistry, templates: Callable[[], TemplatesService]) -> None:
    """``templates()`` gives the service when an action runs (the area is built on first use)."""

    @registry.action(
        "templates.create_from_base",
        Param("base_id", str), Param("title", str), Param("trend_id", str, required=False),
        Param("template_id", str, required=False, description="id of the new template (default: from the title and run)"),
        idempotent=True, area="templates",
        description="Copy a base template (content and Android resources) under a new id and title",
    )
    def create_from_base(actx: ActionContext, base_id: str, title: str, trend_id: str | None = None,
                         template_id: str | None = None) -> dict[str, Any]:
        svc = templates()
        # the id is derived from the run, so running this step again finds its own template
        new_id = template_id or f"{_slug(title)}-{actx.run_id[:6]}"
        actx.remember(template_id=new_id)  # its undo (archive) needs it, even if the run dies mid-import
        if svc.exists(new_id):
            return {"template_id": new_id, "title": title, "base_id": base_id, "created": False}
        svc.get(base_id)  # a clear NotFoundError if the base is unknown
        with tempfile.TemporaryDirectory(prefix="tf-wf-") as tmp:
            archive = Path(svc.export(base_id, Path(tmp) / "base.zip"))
            folder = Path(tmp) / "pkg"
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(folder)  # our own export of a stored template
            roots = list(folder.rglob("template.json"))
            if not roots:
                raise UserError(f"base template {base_id!r} has no template.json in its export")
            manifest_path = min(roots, key=lambda p: len(p.parts))
            # its own app: own name and application id (else a release updates the base app), a recoloured icon
            manifest = derived_manifest(json.loads(manifest_path.read_text(encoding="utf-8")), new_id, title)
            if trend_id:
                tags = [t for t in manifest.get("tags", []) if isinstance(t, str)]
                manifest["tags"] = [*tags, "trend"] if "trend" not in tags else tags
            manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            result = svc.import_path(manifest_path.parent)
            if result.error:
                raise UserError(f"could not create template {new_id!r} from {base_id!r}: {result.error}")
        return {"template_id": new_id, "title": title, "base_id": base_id, "created": True}

    @registry.action(
        "templates.archive", Param("template_id", str), idempotent=True, area="templates",
        description="Archive a template (compensation of create_from_base)",
    )
    def archive(actx: ActionContext, template_id: str) -> dict[str, Any]:
        svc = templates()
        try:
            info = svc.get(template_id)
        except NotFoundError:
            return {"template_id": template_id, "archived": False, "note": "no such template"}
        if info.status is not TemplateStatus.ARCHIVED:
            svc.archive(template_id)
        return {"template_id": template_id, "archived": True}
