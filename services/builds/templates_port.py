"""The template as a build sees it, read from the templates area's :class:`~app.templates.model.TemplateInfo`
and, for what only the package holds (branding), from the package's ``template.json``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.errors import UserError
from app.remedies import RestoreTemplate
from app.store.branding import Branding
from app.store.policy import DEFAULT_MIN_SDK, DEFAULT_TARGET_SDK, MIN_SDK_FLOOR
from app.templates.model import TemplateInfo, TemplateStatus
from services.template_manifest import read_manifest

_APP_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$")


@dataclass(frozen=True)
class BuildTemplate:
    """The fields of a template a build uses."""

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
    def from_package(cls, info: TemplateInfo, package_dir: Path) -> BuildTemplate:
        """``from_info`` plus what only the package's ``template.json`` holds (branding)."""
        return replace(cls.from_info(info), branding=Branding.from_manifest(read_manifest(package_dir, missing_ok=True)))

    @classmethod
    def from_info(cls, info: TemplateInfo) -> BuildTemplate:
        if info.status is TemplateStatus.ARCHIVED:
            raise UserError(f"template {info.id!r} is archived; restore it before building",
                            remedy=RestoreTemplate(info.id))
        if not _APP_ID.fullmatch(info.application_id or ""):
            raise UserError(f"template {info.id!r} has an invalid application_id {info.application_id!r} (e.g. com.example.app)")
        return cls(
            id=info.id,
            app_name=info.app_name or info.title or info.id,
            application_id=info.application_id,
            version=info.version or "1.0.0",
            min_sdk=max(MIN_SDK_FLOOR, info.min_sdk or DEFAULT_MIN_SDK),
            target_sdk=info.target_sdk or DEFAULT_TARGET_SDK,
            content=dict(info.content),
            title=info.title,
        )
