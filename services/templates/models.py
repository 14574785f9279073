"""Tables of the templates area. ``templates_fts`` (FTS5, external content) is created and
kept in sync by triggers in migration ``0100_templates``; it is not mapped here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from app.store.policy import DEFAULT_MIN_SDK, DEFAULT_TARGET_SDK
from services.db.base import Base, JSONText, UTCDateTime, acting


class TemplateRow(Base):
    __tablename__ = "templates"

    # An INTEGER PRIMARY KEY is the SQLite rowid: the stable key the FTS index points at.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    tags: Mapped[list[str]] = mapped_column(JSONText, nullable=False, default=list)
    version: Mapped[str] = mapped_column(String(40), nullable=False)
    app_name: Mapped[str] = mapped_column(String(50), nullable=False)
    application_id: Mapped[str] = mapped_column(String(150), nullable=False)
    min_sdk: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_MIN_SDK)
    target_sdk: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_TARGET_SDK)
    price_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_currency: Mapped[str] = mapped_column(String(3), nullable=False, default="USD")
    content: Mapped[dict[str, Any]] = mapped_column(JSONText, nullable=False, default=dict)
    preview: Mapped[str | None] = mapped_column(String(200), nullable=True)
    schema_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    has_package: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating_sum: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # several writers (team mode): every ORM update checks and bumps the version (a lost update raises
    # StaleDataError) and records who made it (the session's actor, see services.db.base)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    changed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # team mode: the package as a blob every machine can unpack (services.templates.blobs)
    package_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __mapper_args__ = {"version_id_col": row_version}

    __table_args__ = (
        Index("ix_templates_status_title", "status", "title", "id"),
        Index("ix_templates_status_category_title", "status", "category", "title", "id"),
        Index("ix_templates_updated", "updated_at"),
    )


@event.listens_for(TemplateRow, "before_insert")
@event.listens_for(TemplateRow, "before_update")
def _record_actor(_mapper: Any, _conn: Any, target: TemplateRow) -> None:
    actor = acting(target)
    if actor:
        target.changed_by = actor


class TemplateBlobRow(Base):
    __tablename__ = "template_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ReviewRow(Base):
    __tablename__ = "template_reviews"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    template_id: Mapped[str] = mapped_column(
        String(63), ForeignKey("templates.id", ondelete="CASCADE", onupdate="CASCADE"), nullable=False, index=True
    )
    reviewer: Mapped[str] = mapped_column(String(80), nullable=False)
    rating: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (UniqueConstraint("template_id", "reviewer", name="uq_template_reviews_template_reviewer"),)


class CategoryCountRow(Base):
    """How many templates each (status, category) holds; written only by the triggers of
    migration ``0110_templates_category_counts``."""

    __tablename__ = "template_category_counts"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
