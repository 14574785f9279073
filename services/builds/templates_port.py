"""The template as a build sees it, read from the templates area's :class:`~app.templates.model.TemplateInfo`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.errors import UserError
from app.templates.model import TemplateInfo, TemplateStatus

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

    @classmethod
    def from_info(cls, info: TemplateInfo) -> BuildTemplate:
        if info.status is TemplateStatus.ARCHIVED:
            raise UserError(f"template {info.id!r} is archived; restore it before building (trendforge templates restore ID)")
        if not _APP_ID.fullmatch(info.application_id or ""):
            raise UserError(f"template {info.id!r} has an invalid application_id {info.application_id!r} (e.g. com.example.app)")
        return cls(
            id=info.id,
            app_name=info.app_name or info.title or info.id,
            application_id=info.application_id,
            version=info.version or "1.0.0",
            min_sdk=info.min_sdk or 21,
            target_sdk=info.target_sdk or 29,
            content=dict(info.content),
            title=info.title,
        )
