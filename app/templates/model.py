"""Template dataclasses and enums (no storage, no Qt)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.remedies import Remedy
from app.timeutil import to_iso


class TemplateStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"
    DELETED = "deleted"  # soft-deleted: restorable until purged


class DuplicatePolicy(enum.StrEnum):
    """What an import does when a template with the same id already exists."""

    ERROR = "error"
    REPLACE = "replace"
    KEEP_BOTH = "keep-both"


@dataclass(frozen=True)
class TemplateInfo:
    """One template as the rest of the app sees it (builds use id, content, SDKs, app id...)."""

    id: str
    title: str
    category: str
    description: str
    tags: tuple[str, ...]
    version: str
    app_name: str
    application_id: str
    min_sdk: int
    target_sdk: int
    price_amount: int
    price_currency: str
    content: dict[str, Any]
    status: TemplateStatus
    preview: str | None = None
    schema_version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    rating_avg: float | None = None
    rating_count: int = 0
    has_package: bool = True
    row_version: int = 1  # bumped by every change; an edit made on an older one is refused
    changed_by: str | None = None  # the actor of the last change

    def manifest(self) -> dict[str, Any]:
        """The ``template.json`` form of this template."""
        out: dict[str, Any] = {
            "schema_version": self.schema_version,
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "description": self.description,
            "tags": list(self.tags),
            "version": self.version,
            "app_name": self.app_name,
            "application_id": self.application_id,
            "min_sdk": self.min_sdk,
            "target_sdk": self.target_sdk,
            "price": {"amount": self.price_amount, "currency": self.price_currency},
            "content": self.content,
        }
        if self.preview:
            out["preview"] = self.preview
        return out

    def to_dict(self) -> dict[str, Any]:
        d = self.manifest()
        d.pop("price")
        d.update(
            status=self.status.value,
            price_amount=self.price_amount,
            price_currency=self.price_currency,
            preview=self.preview,
            created_at=to_iso(self.created_at) if self.created_at else None,
            updated_at=to_iso(self.updated_at) if self.updated_at else None,
            rating_avg=self.rating_avg,
            rating_count=self.rating_count,
            row_version=self.row_version,
            changed_by=self.changed_by,
        )
        return d


@dataclass(frozen=True)
class Review:
    template_id: str
    reviewer: str
    rating: int
    text: str
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "reviewer": self.reviewer,
            "rating": self.rating,
            "text": self.text,
            "created_at": to_iso(self.created_at),
            "updated_at": to_iso(self.updated_at),
        }


@dataclass(frozen=True)
class ImportResult:
    """Outcome of importing one path: ``template_id`` on success, ``error`` otherwise, ``skipped`` (why)
    for a file a folder held that is no template package."""

    source: str
    template_id: str | None = None
    error: str | None = None
    replaced: bool = False
    renamed_from: str | None = None
    duplicate: bool = False  # refused only because the id exists (the UI offers replace / keep both)
    remedy: Remedy | None = None  # what to do about the error
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        """Imported."""
        return self.error is None and self.skipped is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "template_id": self.template_id,
            "error": self.error,
            "replaced": self.replaced,
            "renamed_from": self.renamed_from,
            "duplicate": self.duplicate,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class TemplateStats:
    """Figures per template; ``extra`` carries what other areas' stats sources add."""

    template_id: str
    rating_avg: float | None
    rating_count: int
    builds: int = 0
    build_success_rate: float | None = None
    revenue_minor: int = 0
    currency: str | None = None
    sales: int = 0
    last_activity: datetime | None = None
    trending_score: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rating_avg": self.rating_avg,
            "rating_count": self.rating_count,
            "builds": self.builds,
            "build_success_rate": self.build_success_rate,
            "revenue_minor": self.revenue_minor,
            "currency": self.currency,
            "sales": self.sales,
            "last_activity": to_iso(self.last_activity) if self.last_activity else None,
            "trending_score": round(self.trending_score, 4),
            **{k: v for k, v in self.extra.items() if k not in {"builds", "revenue_minor"}},
        }


@dataclass(frozen=True, slots=True)
class TemplateSummary:
    """A light row for lists and tables (no content): what 100,000 rows keep in memory."""

    id: str
    title: str
    category: str
    tags: tuple[str, ...]
    status: TemplateStatus
    version: str
    price_amount: int
    price_currency: str
    rating_avg: float | None
    rating_count: int
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "tags": list(self.tags),
            "status": self.status.value,
            "version": self.version,
            "price_amount": self.price_amount,
            "price_currency": self.price_currency,
            "rating_avg": self.rating_avg,
            "rating_count": self.rating_count,
            "updated_at": to_iso(self.updated_at),
        }


class SortKey(enum.StrEnum):
    RELEVANCE = "relevance"  # search rank when searching, else title
    TITLE = "title"
    UPDATED = "updated"
    RATING = "rating"


@dataclass(frozen=True)
class TemplateQuery:
    """Filters of a list/search. ``statuses`` empty means active only."""

    search: str | None = None
    category: str | None = None
    tag: str | None = None
    statuses: tuple[TemplateStatus, ...] = (TemplateStatus.ACTIVE,)
    sort: SortKey = SortKey.RELEVANCE
    limit: int = 200
    offset: int = 0
    # Keyset cursor for title order: (title, id) of the last row already shown. Paging with it
    # costs the same at row 99,800 as at row 200 (OFFSET would rescan everything before).
    after: tuple[str, str] | None = None
