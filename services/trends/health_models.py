"""The trend sources' failure records, in a module of their own so a health check loads only this table
(``trendforge health`` probes the area without importing its trends' tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, JSONText, UTCDateTime


class SourceHealthRecord(Base):
    __tablename__ = "trend_sources"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    backoff_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_items: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[Any] = mapped_column(JSONText(), default=dict)
