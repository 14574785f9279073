"""What the builds area needs from templates: ``get(id)`` and ``package_dir(id)``.

The templates area provides ``TemplatesService`` with exactly these (``manager.extra["templates"]``).
Until it is there, :class:`FolderTemplates` reads ``template.json`` from template folders itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from app.errors import NotFoundError, UserError
from app.store.branding import Branding
from app.store.policy import DEFAULT_MIN_SDK, DEFAULT_TARGET_SDK, MIN_SDK_FLOOR

_APP_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$")


@runtime_checkable
class TemplateSource(Protocol):
    def get(self, template_id: str) -> Any: ...
    def package_dir(self, template_id: str) -> Path: ...


@dataclass(frozen=True)
class BuildTemplate:
    """The fields of a template a build uses (read from whatever the source returns)."""

    id: str
    app_name: str
    application_id: str
    version: str
    min_sdk: int
    target_sdk: int
    content: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    branding: Branding = field(default_factory=Branding)

    @classmethod
    def from_package(cls, info: Any, package_dir: Path) -> BuildTemplate:
        """``from_info`` plus what only the package's ``template.json`` holds (branding)."""
        template = cls.from_info(info)
        manifest = read_package_manifest(package_dir)
        return replace(template, branding=Branding.from_manifest(manifest))

    @classmethod
    def from_info(cls, info: Any) -> BuildTemplate:
        def attr(name: str, default: Any = None) -> Any:
            if isinstance(info, dict):
                return info.get(name, default)
            return getattr(info, name, default)

        status = attr("status", None)
        status = getattr(status, "value", status)
        if status == "archived":
            raise UserError(f"template {attr('id')!r} is archived; restore it before building (trendforge templates restore ID)")
        app_id = str(attr("application_id", "") or "")
        if not _APP_ID.fullmatch(app_id):
            raise UserError(f"template {attr('id')!r} has an invalid application_id {app_id!r} (e.g. com.example.app)")
        content = attr("content", {}) or {}
        return cls(
            id=str(attr("id")),
            app_name=str(attr("app_name", "") or attr("title", "") or attr("id")),
            application_id=app_id,
            version=str(attr("version", "1.0.0") or "1.0.0"),
            min_sdk=max(MIN_SDK_FLOOR, int(attr("min_sdk", DEFAULT_MIN_SDK) or DEFAULT_MIN_SDK)),
            target_sdk=int(attr("target_sdk", DEFAULT_TARGET_SDK) or DEFAULT_TARGET_SDK),
            content=dict(content) if isinstance(content, dict) else {"items": content},
            title=str(attr("title", "") or ""),
        )


def read_package_manifest(package_dir: Path) -> dict[str, Any]:
    """The package's ``template.json`` ({} when there is none: a row without a package)."""
    path = package_dir / "template.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UserError(f"{path} must hold a JSON object")
    return data


class FolderTemplates:
    """Template packages as folders with a ``template.json`` under one or more roots."""

    def __init__(self, *roots: Path) -> None:
        self._roots = [Path(r) for r in roots]

    def package_dir(self, template_id: str) -> Path:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", template_id):
            raise NotFoundError(f"no template {template_id!r}")
        for root in self._roots:
            candidate = root / template_id
            if (candidate / "template.json").is_file():
                return candidate
        raise NotFoundError(f"no template {template_id!r}; import it first (trendforge templates import PATH)")

    def get(self, template_id: str) -> dict[str, Any]:
        data = read_package_manifest(self.package_dir(template_id))
        data.setdefault("id", template_id)
        return data
