"""Tables of the trends area: trends, their aliases and snapshots, and source health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, JSONText, UTCDateTime
from services.trends.health_models import SourceHealthRecord as SourceHealthRecord


class TrendRecord(Base):
    __tablename__ = "trends"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(120), default="")
    url: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[Any] = mapped_column(JSONText(), default=list)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    volume: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    tag: Mapped[str] = mapped_column(String(20), default="new")
    emerging: Mapped[bool] = mapped_column(Boolean, default=False)
    momentum: Mapped[Any] = mapped_column(JSONText(), default=dict)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # the last HISTORY_POINTS of the combined series, kept by the sync (related() reads no snapshots)
    recent: Mapped[Any] = mapped_column(JSONText(), nullable=True)

    __table_args__ = (
        Index("ix_trends_score", "archived", "score"),
        Index("ix_trends_tag", "tag"),
    )


class TrendAliasRecord(Base):
    __tablename__ = "trend_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trend_id: Mapped[str] = mapped_column(String(32), ForeignKey("trends.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("trend_id", "alias", "source", name="uq_trend_aliases_trend_alias_source"),
        Index("ix_trend_aliases_trend", "trend_id"),
    )


class TrendSnapshotRecord(Base):
    __tablename__ = "trend_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trend_id: Mapped[str] = mapped_column(String(32), ForeignKey("trends.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    volume: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_trend_snapshots_trend_time", "trend_id", "taken_at"),
        Index("ix_trend_snapshots_source_time", "source", "taken_at"),
    )


class TrendTermRecord(Base):
    """The candidate index of related trends (app/trends/related_terms.py), kept by the sync."""

    __tablename__ = "trend_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    trend_id: Mapped[str] = mapped_column(String(32), ForeignKey("trends.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_trend_terms_trend", "trend_id"),)
