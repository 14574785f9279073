"""Events of the payments area (type names ``payment.*`` and ``provider.*``)."""

from __future__ import annotations

from app.events import Event, event_dataclass, event_type


@event_type("payment.charged")
@event_dataclass
class PaymentCharged(Event):
    transaction_id: str = ""
    provider: str = ""
    provider_id: str = ""
    amount: int = 0
    currency: str = ""
    template_id: str | None = None


@event_type("payment.declined")
@event_dataclass
class PaymentDeclined(Event):
    transaction_id: str = ""
    provider: str = ""
    code: str = ""
    reason: str = ""


@event_type("payment.action_required")
@event_dataclass
class PaymentActionRequired(Event):
    transaction_id: str = ""
    provider: str = ""
    provider_id: str = ""
    action: str = ""


@event_type("payment.failed")
@event_dataclass
class PaymentFailed(Event):
    transaction_id: str = ""
    provider: str = ""
    reason: str = ""
    transient: bool = False


@event_type("payment.refunded")
@event_dataclass
class PaymentRefunded(Event):
    transaction_id: str = ""
    refund_id: str = ""
    provider: str = ""
    amount: int = 0
    currency: str = ""
    remote: bool = True


@event_type("payment.synced")
@event_dataclass
class PaymentsSynced(Event):
    provider: str = ""
    fetched: int = 0
    added: int = 0
    updated: int = 0


@event_type("payment.imported")
@event_dataclass
class PaymentsImported(Event):
    provider: str = ""
    added: int = 0
    duplicates: int = 0
    rejected: int = 0


@event_type("provider.unhealthy")
@event_dataclass
class ProviderUnhealthy(Event):
    area: str = "payments"
    provider: str = ""
    failures: int = 0
    reason: str = ""


@event_type("provider.recovered")
@event_dataclass
class ProviderRecovered(Event):
    area: str = "payments"
    provider: str = ""
