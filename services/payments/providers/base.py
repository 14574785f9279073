"""The provider interface and the provider-neutral records adapters return."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from app.errors import ProviderError, UserError
from app.jsonvalue import JsonObject, JsonShapeError
from app.payments.model import Provider, TxnStatus
from app.payments.money import check_minor
from app.remedies import SetCredential

T = TypeVar("T")


@dataclass(frozen=True)
class RemoteTxn:
    """A provider object that becomes (or updates) one ledger row."""

    provider: Provider
    provider_id: str
    status: TxnStatus
    amount: int
    currency: str
    created_at: datetime
    kind: str = "charge"
    fee: int | None = None  # None: unknown here, keep what the ledger has
    refunded_amount: int | None = None
    template_id: str | None = None
    product_id: str | None = None
    description: str = ""
    charge_id: str | None = None
    local_id: str | None = None  # our id, from the provider's metadata
    message_id: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    meta: JsonObject = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A provider (or an imported file) can send any number; refuse what the ledger cannot hold."""
        for name in ("amount", "fee", "refunded_amount"):
            value = getattr(self, name)
            if value is not None:
                try:
                    check_minor(value, f"{self.provider.value} {self.provider_id}: {name}")
                except UserError as exc:
                    raise ProviderError(str(exc), provider=self.provider.value) from None


@dataclass(frozen=True)
class RemoteChargeUpdate:
    """A Stripe charge belonging to a payment intent: refunds and the charge id for fees."""

    payment_intent: str
    charge_id: str
    amount_refunded: int
    captured: bool


@dataclass(frozen=True)
class RemoteRefund:
    provider: Provider
    provider_refund_id: str
    amount: int
    currency: str
    status: str
    created_at: datetime
    payment_ref: str  # the provider id of the refunded payment (payment intent, charge or sale)
    local_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RemoteBalance:
    provider: Provider
    provider_id: str
    source: str | None
    type: str
    amount: int
    fee: int
    net: int
    currency: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class RemoteProduct:
    provider: Provider
    product_id: str
    name: str
    template_id: str | None = None
    price_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    meta: JsonObject = field(default_factory=dict)


@dataclass
class SyncBatch:
    """One page (or chunk) of a sync; the service commits each batch with its cursor."""

    resource: str
    txns: list[RemoteTxn] = field(default_factory=list)
    charges: list[RemoteChargeUpdate] = field(default_factory=list)
    refunds: list[RemoteRefund] = field(default_factory=list)
    balances: list[RemoteBalance] = field(default_factory=list)
    products: list[RemoteProduct] = field(default_factory=list)
    cursor: str | None = None  # new cursor for ``resource`` (None: unchanged)
    last_created: int | None = None

    @property
    def size(self) -> int:
        return len(self.txns) + len(self.charges) + len(self.refunds) + len(self.balances) + len(self.products)


@dataclass(frozen=True)
class CursorState:
    cursor: str | None = None
    last_created: int | None = None


@dataclass(frozen=True)
class ChargeRequest:
    local_id: str
    idempotency_key: str
    amount: int
    currency: str
    payment_method: str
    template_id: str | None
    description: str
    created_at: datetime


@dataclass(frozen=True)
class ChargeOutcome:
    provider_id: str | None
    status: TxnStatus
    amount: int
    currency: str
    charge_id: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    next_action: str | None = None


@dataclass(frozen=True)
class RefundRequest:
    local_refund_id: str
    idempotency_key: str
    provider_id: str
    charge_id: str | None
    amount: int
    currency: str
    full: bool


@dataclass(frozen=True)
class RefundOutcome:
    provider_refund_id: str
    amount: int
    status: str


class DeclinedError(ProviderError):
    """The provider declined the payment (a card error): permanent, recorded with its reason."""

    def __init__(self, message: str, *, provider: str, code: str, provider_id: str | None = None) -> None:
        super().__init__(message, provider=provider, transient=False, status_code=402)
        self.code = code
        self.provider_id = provider_id


class Retry(Protocol):
    """How a provider retries one call (the service's tenacity policy): the call's own result, or its last error."""

    def __call__(self, call: Callable[[], Awaitable[T]], /) -> Awaitable[T]: ...


@contextmanager
def answer_shape(provider: Provider, what: str) -> Iterator[None]:
    """Reading a provider's answer: a field missing or of another type is one line naming ``what`` and the field
    (``gumroad sale 'gs1': price must be an integer, not a string``), not a KeyError later."""
    try:
        yield
    except JsonShapeError as exc:
        raise shape_refusal(provider, what, exc) from None


def shape_refusal(provider: Provider, what: str, exc: JsonShapeError) -> ProviderError:
    """The one line for an answer of another shape (what :func:`answer_shape` raises; a reader on a hot path
    catches :class:`JsonShapeError` itself and names ``what`` only when it refuses)."""
    return ProviderError(f"{what}: {exc}", provider=provider.value)


class PaymentProvider(Protocol):
    name: Provider

    def sync(self, cursors: dict[str, CursorState]) -> AsyncIterator[SyncBatch]: ...


class CheckingProvider(Protocol):
    async def check(self) -> str:
        """Call the provider once with the credential; what it answered, in words (raises ProviderError)."""
        ...


class ChargingProvider(PaymentProvider, Protocol):
    async def charge(self, req: ChargeRequest) -> ChargeOutcome: ...

    async def find_charge(self, local_id: str, since: datetime) -> ChargeOutcome | None: ...


class RefundingProvider(PaymentProvider, Protocol):
    async def refund(self, req: RefundRequest) -> RefundOutcome: ...

    async def find_refund(self, req: RefundRequest) -> RefundOutcome | None: ...


def need_credential(value: str | None, provider: Provider) -> str:
    if not value:
        raise UserError(f"no {provider.value} credential stored", remedy=SetCredential(provider.value))
    return value
