"""Where the areas meet: the small typed Protocols one area offers another.

The composition root (``services.bootstrap``) hands each area the others' services through these,
so no area imports another and none looks another up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypedDict

from app.templates.model import TemplateInfo, TemplateSummary


class CurrencyRevenue(TypedDict):
    """A template's sales in one currency, in minor units."""

    currency: str
    gross: int
    net: int


class TemplateFigures(TypedDict, total=False):
    """What one area adds to a template's stats; each source fills the keys it knows (builds, payments)."""

    builds: int
    recent_builds: int
    build_success_rate: float | None
    last_activity: datetime | None
    sales: int
    recent_sales: int
    revenue_minor: int
    currency: str | None
    revenue_by_currency: list[CurrencyRevenue]


#: Figures other areas add to a template's stats: ``fn(ids) -> {id: {"builds": 3, "revenue_minor": 1299, ...}}``.
StatsSource = Callable[[list[str]], dict[str, TemplateFigures]]


class TemplateCatalogue(Protocol):
    """What builds and trends need of the templates area."""

    def get(self, template_id: str) -> TemplateInfo: ...

    def package_dir(self, template_id: str) -> Path: ...

    def find(self) -> Sequence[TemplateSummary]: ...
