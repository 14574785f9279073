"""Tables of the payments area (migration ``0400_payments``).

``payment_transactions`` is the ledger: one row per provider object, unique on
``(provider, provider_id)``. A charge's row (local id + idempotency key) is written
before the first attempt, so ``provider_id`` may still be NULL (SQLite allows many NULLs
under a unique index). ``payment_daily_totals`` (day x provider x currency) and
``payment_monthly_totals`` (month x provider x template x currency) are rollups maintained
in the same transaction as every ledger change, so revenue summaries read a few thousand
rows, not a million.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, JSONText, UTCDateTime
from services.payments.health_models import ProviderHealthRecord as ProviderHealthRecord


class TransactionRecord(Base):
    __tablename__ = "payment_transactions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(80))
    charge_id: Mapped[str | None] = mapped_column(String(80))
    message_id: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="charge")
    status: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    fee: Mapped[int] = mapped_column(Integer, default=0)
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0)
    template_id: Mapped[str | None] = mapped_column(String(64))
    product_id: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    payment_method: Mapped[str | None] = mapped_column(String(80))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    day: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    meta: Mapped[Any] = mapped_column(JSONText(), nullable=True)

    __table_args__ = (
        UniqueConstraint("provider", "provider_id", name="uq_payment_transactions_provider_id"),
        UniqueConstraint("idempotency_key", name="uq_payment_transactions_idempotency_key"),
        Index("ix_payment_transactions_message", "provider", "message_id", unique=True),
        Index("ix_payment_transactions_charge", "provider", "charge_id"),
        Index("ix_payment_transactions_created", "created_at"),
        Index("ix_payment_transactions_provider_created", "provider", "created_at"),
        Index("ix_payment_transactions_status_created", "status", "created_at"),
        Index("ix_payment_transactions_template_created_status", "template_id", "created_at", "status"),
        Index("ix_payment_transactions_currency_created", "currency", "created_at"),
    )


class RefundRecord(Base):
    __tablename__ = "payment_refunds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(16))
    provider_refund_id: Mapped[str | None] = mapped_column(String(80))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("provider", "provider_refund_id", name="uq_payment_refunds_provider_id"),
        Index("ix_payment_refunds_transaction", "transaction_id"),
    )


class BalanceRecord(Base):
    """Stripe balance transactions: what a charge or refund really moved (amount, fee, net)."""

    __tablename__ = "payment_balance_transactions"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    source: Mapped[str | None] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_payment_balance_source", "provider", "source"),)


class ProductRecord(Base):
    """A provider's product (Stripe product/price, Gumroad product, itch.io game), tied to a template."""

    __tablename__ = "payment_products"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[str | None] = mapped_column(String(64))
    price_id: Mapped[str | None] = mapped_column(String(80))
    amount: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))
    meta: Mapped[Any] = mapped_column(JSONText(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_payment_products_template", "template_id"),)


class SyncCursorRecord(Base):
    __tablename__ = "payment_sync_cursors"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    resource: Mapped[str] = mapped_column(String(40), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(120))
    last_created: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DailyTotalRecord(Base):
    """Rollup of captured revenue per day, provider and currency (answers ``summary --by day``)."""

    __tablename__ = "payment_daily_totals"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    gross: Mapped[int] = mapped_column(Integer, default=0)
    fees: Mapped[int] = mapped_column(Integer, default=0)
    refunds: Mapped[int] = mapped_column(Integer, default=0)


class MonthlyTotalRecord(Base):
    """Rollup of captured revenue per month, provider, template and currency (the other summaries)."""

    __tablename__ = "payment_monthly_totals"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    gross: Mapped[int] = mapped_column(Integer, default=0)
    fees: Mapped[int] = mapped_column(Integer, default=0)
    refunds: Mapped[int] = mapped_column(Integer, default=0)
