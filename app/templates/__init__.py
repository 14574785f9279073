"""Templates: the pure domain (manifest rules, statuses, events, trending score)."""

from app.templates.model import (
    DuplicatePolicy,
    ImportResult,
    Review,
    SortKey,
    TemplateInfo,
    TemplateQuery,
    TemplateStats,
    TemplateStatus,
    TemplateSummary,
)

__all__ = [
    "DuplicatePolicy",
    "ImportResult",
    "Review",
    "SortKey",
    "TemplateInfo",
    "TemplateQuery",
    "TemplateStats",
    "TemplateStatus",
    "TemplateSummary",
]
