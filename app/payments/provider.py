"""The payment providers, in a module of their own: health reads the providers' records without the ledger's
vocabulary (money formatting, the currency table). :mod:`app.payments.model` re-exports :class:`Provider`."""

from __future__ import annotations

import enum

from app.choice import parse_choice


class Provider(enum.StrEnum):
    STRIPE = "stripe"
    GUMROAD = "gumroad"
    KOFI = "kofi"
    ITCH = "itch"

    @classmethod
    def parse(cls, value: str) -> Provider:
        return parse_choice(cls, value, "provider")

    @property
    def can_charge(self) -> bool:
        return self is Provider.STRIPE

    @property
    def has_api(self) -> bool:
        """Has an API TrendForge calls with the credential (Ko-fi only sends webhooks)."""
        return self is not Provider.KOFI

    @property
    def can_refund_remotely(self) -> bool:
        return self in (Provider.STRIPE, Provider.GUMROAD)

    @property
    def refund_location(self) -> str:
        return {
            Provider.KOFI: "Ko-fi has no refund API: issue it at https://ko-fi.com/manage/transactions "
            "(or in PayPal/Stripe, whichever took the payment)",
            Provider.ITCH: "itch.io has no refund API: issue it from https://itch.io/dashboard/purchases "
            "(or contact itch.io support)",
        }.get(self, "")
