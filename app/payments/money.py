"""Money: integer minor units plus an ISO 4217 currency. Never floats.

Exponents, parsing and formatting are decided in :mod:`app.currency` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.currency import exponent, format_minor, normalize_currency, to_minor
from app.errors import UserError

__all__ = ["MAX_MINOR_UNITS", "SYMBOLS", "Money", "check_minor", "exponent", "format_minor", "normalize_currency",
           "to_minor"]

# What Gumroad and others print instead of a code; only unambiguous symbols.
SYMBOLS: dict[str, str] = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "US$": "USD",
                           "A$": "AUD", "C$": "CAD", "CA$": "CAD", "R$": "BRL", "zł": "PLN"}


@dataclass(frozen=True, order=True)
class Money:
    """An amount in minor units of ``currency``. Arithmetic only within one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(f"Money amount must be int minor units, got {type(self.amount).__name__}")
        object.__setattr__(self, "currency", normalize_currency(self.currency))

    @classmethod
    def parse(cls, text: str | int, currency: str) -> Money:
        return cls(to_minor(text, currency), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __str__(self) -> str:
        return format_minor(self.amount, self.currency)


# The largest amount the ledger stores, in minor units: a 64-bit column holds it, and no sale comes near it.
MAX_MINOR_UNITS = 10**15


def check_minor(amount: int, what: str = "amount") -> int:
    """``amount`` if it is a storable number of minor units, else a ``UserError`` naming ``what``."""
    if isinstance(amount, bool) or not isinstance(amount, int) or abs(amount) > MAX_MINOR_UNITS:
        shown = str(amount) if len(str(amount)) <= 24 else f"{str(amount)[:20]}… ({len(str(amount))} digits)"
        raise UserError(f"{what} {shown} is out of range (at most {MAX_MINOR_UNITS} minor units)")
    return amount
