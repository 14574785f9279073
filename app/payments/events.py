"""Events of the payments area (type names ``payment.*`` and ``provider.*``)."""

from __future__ import annotations

import dataclasses

from app.events import Event, event_type


@event_type("payment.charged")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentCharged(Event):
    transaction_id: str = ""
    provider: str = ""
    provider_id: str = ""
    amount: int = 0
    currency: str = ""
    template_id: str | None = None


@event_type("payment.declined")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentDeclined(Event):
    transaction_id: str = ""
    provider: str = ""
    code: str = ""
    reason: str = ""


@event_type("payment.action_required")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentActionRequired(Event):
    transaction_id: str = ""
    provider: str = ""
    provider_id: str = ""
    action: str = ""


@event_type("payment.failed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentFailed(Event):
    transaction_id: str = ""
    provider: str = ""
    reason: str = ""
    transient: bool = False


@event_type("payment.refunded")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentRefunded(Event):
    transaction_id: str = ""
    refund_id: str = ""
    provider: str = ""
    amount: int = 0
    currency: str = ""
    remote: bool = True


@event_type("payment.synced")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentsSynced(Event):
    provider: str = ""
    fetched: int = 0
    added: int = 0
    updated: int = 0


@event_type("payment.imported")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentsImported(Event):
    provider: str = ""
    added: int = 0
    duplicates: int = 0
    rejected: int = 0


@event_type("provider.unhealthy")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ProviderUnhealthy(Event):
    area: str = "payments"
    provider: str = ""
    failures: int = 0
    reason: str = ""


@event_type("provider.recovered")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ProviderRecovered(Event):
    area: str = "payments"
    provider: str = ""
