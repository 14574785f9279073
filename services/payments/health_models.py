"""The payments providers' failure records, in a module of their own so a health check loads only this table
(``trendforge health`` probes the area without importing its ledger's tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, UTCDateTime


class ProviderHealthRecord(Base):
    __tablename__ = "payment_provider_health"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="ok")
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unhealthy_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
