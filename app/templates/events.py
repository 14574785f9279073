"""Events of the templates area (type names ``template.*`` and ``review.added``)."""

from __future__ import annotations

import dataclasses

from app.events import Event, event_type


@event_type("template.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateCreated(Event):
    template_id: str = ""
    title: str = ""
    category: str = ""


@event_type("template.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateUpdated(Event):
    template_id: str = ""
    fields: tuple[str, ...] = ()


@event_type("template.archived")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateArchived(Event):
    template_id: str = ""


@event_type("template.unarchived")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateUnarchived(Event):
    template_id: str = ""


@event_type("template.deleted")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateDeleted(Event):
    template_id: str = ""


@event_type("template.restored")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateRestored(Event):
    template_id: str = ""


@event_type("template.imported")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateImported(Event):
    template_id: str = ""
    source_path: str = ""
    replaced: bool = False
    renamed_from: str | None = None


@event_type("template.exported")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplateExported(Event):
    template_id: str = ""
    destination: str = ""


@event_type("review.added")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReviewAdded(Event):
    template_id: str = ""
    reviewer: str = ""
    rating: int = 0
    replaced: bool = False


@event_type("template.purged")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TemplatePurged(Event):
    template_id: str = ""
