"""Where the areas meet: the small typed Protocols one area offers another.

The composition root (``services.bootstrap``) hands each area the others' services through these,
so no area imports another and none looks another up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from app.templates.model import TemplateInfo, TemplateSummary

#: Figures other areas add to a template's stats: ``fn(ids) -> {id: {"builds": 3, "revenue_minor": 1299, ...}}``.
StatsSource = Callable[[list[str]], dict[str, dict[str, Any]]]


class TemplateCatalogue(Protocol):
    """What builds and trends need of the templates area."""

    def get(self, template_id: str) -> TemplateInfo: ...

    def package_dir(self, template_id: str) -> Path: ...

    def find(self) -> Sequence[TemplateSummary]: ...
