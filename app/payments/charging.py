"""What a charge from TrendForge may use: Stripe's key modes and the test payment methods it documents.

Decided here once: the service picks the default payment method and refuses a live charge without one;
the GUI offers the same test cards (https://docs.stripe.com/testing, "PaymentMethods").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class StripeMode(enum.StrEnum):
    TEST = "test"
    LIVE = "live"


def stripe_mode(secret_key: str) -> StripeMode:
    """A secret (``sk_``) or restricted (``rk_``) key says its mode in its prefix."""
    return StripeMode.TEST if secret_key.startswith(("sk_test_", "rk_test_")) else StripeMode.LIVE


@dataclass(frozen=True)
class StripeTestCard:
    payment_method: str
    label: str  # what happens, in words


TEST_CARDS: tuple[StripeTestCard, ...] = (
    StripeTestCard("pm_card_visa", "Visa test card: the charge succeeds"),
    StripeTestCard("pm_card_chargeCustomerFail", "Test card that is declined when charged"),
)
DEFAULT_TEST_PAYMENT_METHOD = TEST_CARDS[0].payment_method


def card_label(payment_method: str) -> str | None:
    """The test card's description, or None for any other payment method."""
    return next((c.label for c in TEST_CARDS if c.payment_method == payment_method), None)
