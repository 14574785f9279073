"""Events of the templates area (type names ``template.*`` and ``review.added``)."""

from __future__ import annotations

from app.events import Event, event_dataclass, event_type


@event_type("template.created")
@event_dataclass
class TemplateCreated(Event):
    template_id: str = ""
    title: str = ""
    category: str = ""


@event_type("template.updated")
@event_dataclass
class TemplateUpdated(Event):
    template_id: str = ""
    fields: tuple[str, ...] = ()


@event_type("template.archived")
@event_dataclass
class TemplateArchived(Event):
    template_id: str = ""


@event_type("template.unarchived")
@event_dataclass
class TemplateUnarchived(Event):
    template_id: str = ""


@event_type("template.deleted")
@event_dataclass
class TemplateDeleted(Event):
    template_id: str = ""


@event_type("template.restored")
@event_dataclass
class TemplateRestored(Event):
    template_id: str = ""


@event_type("template.imported")
@event_dataclass
class TemplateImported(Event):
    template_id: str = ""
    source_path: str = ""
    replaced: bool = False
    renamed_from: str | None = None


@event_type("template.exported")
@event_dataclass
class TemplateExported(Event):
    template_id: str = ""
    destination: str = ""


@event_type("review.added")
@event_dataclass
class ReviewAdded(Event):
    template_id: str = ""
    reviewer: str = ""
    rating: int = 0
    replaced: bool = False


@event_type("template.purged")
@event_dataclass
class TemplatePurged(Event):
    template_id: str = ""
