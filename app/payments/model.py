"""Ledger vocabulary: providers, statuses, the transaction record and refund rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.errors import UserError
from app.payments.money import format_minor
from app.payments.provider import Provider as Provider
from app.remedies import Remedy


class TxnStatus(enum.StrEnum):
    PENDING = "pending"  # local id + idempotency key stored; not yet confirmed by the provider
    PROCESSING = "processing"
    REQUIRES_ACTION = "requires_action"  # e.g. 3-D Secure: the customer must authenticate
    SUCCEEDED = "succeeded"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    DECLINED = "declined"
    FAILED = "failed"  # a permanent error, or the provider could not be reached (retry reconciles first)
    CANCELED = "canceled"

    @property
    def captured(self) -> bool:
        """Money was taken: these rows count toward revenue."""
        return self in (TxnStatus.SUCCEEDED, TxnStatus.PARTIALLY_REFUNDED, TxnStatus.REFUNDED)

    @property
    def retryable(self) -> bool:
        return self in (TxnStatus.FAILED, TxnStatus.DECLINED, TxnStatus.PENDING, TxnStatus.REQUIRES_ACTION)


FAILED_STATUSES = (TxnStatus.FAILED, TxnStatus.DECLINED, TxnStatus.REQUIRES_ACTION)
CAPTURED_STATUSES = (TxnStatus.SUCCEEDED, TxnStatus.PARTIALLY_REFUNDED, TxnStatus.REFUNDED)


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RECORDED = "recorded"  # recorded locally; the user issues it on the provider's site


class SummaryBy(enum.StrEnum):
    PROVIDER = "provider"
    TEMPLATE = "template"
    CURRENCY = "currency"
    DAY = "day"
    MONTH = "month"


def status_after_refund(amount: int, refunded: int) -> TxnStatus:
    if refunded <= 0:
        return TxnStatus.SUCCEEDED
    return TxnStatus.REFUNDED if refunded >= amount else TxnStatus.PARTIALLY_REFUNDED


def check_refund(requested: int | None, captured: int, refunded: int, currency: str, status: TxnStatus) -> int:
    """The amount to refund: ``requested`` or everything left; never more than was captured."""
    if not status.captured:
        raise UserError(f"only a captured payment can be refunded (this one is {status.value})")
    remaining = captured - refunded
    if remaining <= 0:
        raise UserError("this payment is already fully refunded")
    amount = remaining if requested is None else requested
    if amount <= 0:
        raise UserError("a refund amount must be positive")
    if amount > remaining:
        raise UserError(
            f"cannot refund {format_minor(amount, currency)}: only {format_minor(remaining, currency)} "
            f"of {format_minor(captured, currency)} is left to refund"
        )
    return amount


@dataclass(frozen=True)
class Transaction:
    """One ledger row, as the UI and CLI see it."""

    id: str
    provider: Provider
    provider_id: str | None
    status: TxnStatus
    amount: int
    currency: str
    fee: int = 0
    refunded_amount: int = 0
    template_id: str | None = None
    product_id: str | None = None
    description: str = ""
    failure_code: str | None = None
    failure_message: str | None = None
    attempts: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def net(self) -> int:
        return self.amount - self.fee - self.refunded_amount if self.status.captured else 0

    def to_dict(self) -> dict[str, Any]:
        from app.timeutil import to_iso

        return {
            "id": self.id,
            "provider": self.provider.value,
            "provider_id": self.provider_id,
            "status": self.status.value,
            "amount": self.amount,
            "currency": self.currency,
            "fee": self.fee,
            "refunded_amount": self.refunded_amount,
            "net": self.net,
            "template_id": self.template_id,
            "product_id": self.product_id,
            "description": self.description,
            "failure_code": self.failure_code,
            "failure_message": self.failure_message,
            "attempts": self.attempts,
            "created_at": to_iso(self.created_at) if self.created_at else None,
            "updated_at": to_iso(self.updated_at) if self.updated_at else None,
        }


@dataclass(frozen=True)
class SummaryRow:
    key: str
    currency: str
    count: int
    gross: int
    fees: int
    refunds: int

    @property
    def net(self) -> int:
        return self.gross - self.fees - self.refunds

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "currency": self.currency, "count": self.count, "gross": self.gross,
                "fees": self.fees, "refunds": self.refunds, "net": self.net}


@dataclass(frozen=True)
class RefundResult:
    transaction: Transaction
    amount: int
    refund_id: str
    remote: bool
    message: str = ""


@dataclass(frozen=True)
class SyncReport:
    provider: Provider
    fetched: int = 0
    added: int = 0
    updated: int = 0
    pages: int = 0
    error: str | None = None
    remedy: Remedy | None = None  # what to do about the error (store a valid credential, ...)

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider.value, "fetched": self.fetched, "added": self.added,
                "updated": self.updated, "pages": self.pages, "error": self.error}


@dataclass(frozen=True)
class ImportReport:
    provider: Provider
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider.value, "added": self.added, "duplicates": self.duplicates,
                "rejected": self.rejected, "errors": list(self.errors)}
