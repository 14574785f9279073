"""Tables of the foundation: the event log and settings.

Each area keeps its own tables in ``services/<area>/models.py`` on the same ``Base``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, JSONText, UTCDateTime


class EventRecord(Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(80))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    causation_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(JSONText())
    actor: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        Index("ix_events_type_seq", "type", "seq"),  # serves ORDER BY seq under a type filter
        Index("ix_events_ts", "timestamp"),
        Index("ix_events_correlation", "correlation_id"),
        Index("ix_events_source", "source"),
    )


class SettingRecord(Base):
    """Non-secret settings (base URLs, toolchain paths, theme). Secrets go to the keyring."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText())
