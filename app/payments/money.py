"""Money: integer minor units plus an ISO 4217 currency. Never floats.

Amount text such as ``"9.99"`` is parsed digit by digit against the currency's exponent
(2 for USD, 0 for JPY, 3 for KWD); more decimals than the currency has is an error, not a
silent rounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import UserError

# ISO 4217 minor-unit exponents that differ from the default of 2.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
         "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<int>\d{1,15})(?:\.(?P<frac>\d+))?$")

# What Gumroad and others print instead of a code; only unambiguous symbols.
SYMBOLS: dict[str, str] = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "US$": "USD",
                           "A$": "AUD", "C$": "CAD", "CA$": "CAD", "R$": "BRL", "zł": "PLN"}


def normalize_currency(code: str) -> str:
    """``"usd"`` -> ``"USD"``; anything that is not three letters is a ``UserError``."""
    value = (code or "").strip().upper()
    if not _CURRENCY.match(value):
        raise UserError(f"not an ISO 4217 currency code: {code!r} (e.g. USD, EUR, JPY)")
    return value


def exponent(currency: str) -> int:
    return _EXPONENTS.get(normalize_currency(currency), 2)


def to_minor(text: str | int, currency: str) -> int:
    """Parse a decimal amount (``"9.99"``, ``"10"``, ``"1,000.50"``) into minor units."""
    cur = normalize_currency(currency)
    if isinstance(text, bool):
        raise UserError(f"not an amount: {text!r}")
    if isinstance(text, int):
        return int(text) * int(10 ** exponent(cur))
    raw = str(text).strip().replace(",", "").replace("_", "")
    m = _AMOUNT.match(raw)
    if not m:
        raise UserError(f"not an amount: {text!r} (write it like 9.99)")
    exp = exponent(cur)
    frac = m.group("frac") or ""
    if len(frac) > exp:
        if frac[exp:].strip("0"):
            raise UserError(f"{text!r} has more decimals than {cur} allows ({exp})")
        frac = frac[:exp]
    minor = int(m.group("int")) * 10**exp + (int(frac.ljust(exp, "0")) if exp else 0)
    return int(-minor if m.group("sign") else minor)


def format_minor(amount: int, currency: str) -> str:
    """``999, "USD"`` -> ``"9.99 USD"``."""
    cur = normalize_currency(currency)
    exp = exponent(cur)
    sign = "-" if amount < 0 else ""
    a = abs(amount)
    if exp == 0:
        return f"{sign}{a} {cur}"
    return f"{sign}{a // 10**exp}.{a % 10**exp:0{exp}d} {cur}"


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
