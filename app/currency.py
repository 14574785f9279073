"""Currencies: the one source of minor-unit exponents, amount parsing and formatting, and Stripe's units.

Exponents come from ISO 4217 (the ``iso4217`` package, its table as published). Amounts in TrendForge
(the ledger, template prices, summaries) are integer minor units of that ISO exponent. Stripe's API
counts some currencies differently; the overrides it documents are decided here and nowhere else
(https://docs.stripe.com/currencies): its zero-decimal list (which includes MGA, two-decimal in ISO),
ISK kept two-decimal in the API but whole krónur only, three-decimal amounts ending in 0, and HUF/TWD
charged in two decimals although paid out whole. UGX is zero-decimal there as in ISO.

Amount text such as ``"9.99"`` is parsed digit by digit against the exponent (2 for USD, 0 for JPY,
3 for KWD); more decimals than the currency has is an error, not a silent rounding.
"""

from __future__ import annotations

import re
from functools import cache

from app.errors import UserError

_CODE = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<int>\d{1,15})(?:\.(?P<frac>\d+))?$")

@cache
def _iso() -> dict[str, int]:
    """ISO 4217 code -> exponent; currencies without minor units ("N.A.": gold, SDR, ...) count whole units.

    Read on first use: the package parses its XML table when imported."""
    from iso4217 import Currency

    return {c.code: (c.exponent if c.exponent is not None else 0) for c in Currency}

STRIPE_ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
                                 "VUV", "XAF", "XOF", "XPF"})
# two decimals in Stripe's API although only whole units can be charged (amount divisible by 100)
STRIPE_TWO_DECIMAL_WHOLE = frozenset({"ISK"})
# charged with two decimals; Stripe pays them out in whole units only (payouts are not made here)
STRIPE_WHOLE_PAYOUTS = frozenset({"HUF", "TWD"})


def iso_codes() -> list[str]:
    return sorted(_iso())


def normalize_currency(code: str) -> str:
    """``"usd"`` -> ``"USD"``; anything that is not an ISO 4217 code is a ``UserError``."""
    value = (code or "").strip().upper()
    if not _CODE.match(value) or value not in _iso():
        raise UserError(f"not an ISO 4217 currency code: {code!r} (e.g. USD, EUR, JPY)")
    return value


def exponent(currency: str) -> int:
    """Digits after the decimal point of ``currency`` in ISO 4217 (USD 2, JPY 0, KWD 3)."""
    return _iso()[normalize_currency(currency)]


def to_minor(text: str | int, currency: str) -> int:
    """Parse a decimal amount (``"9.99"``, ``"10"``, ``"1,000.50"``) into minor units."""
    cur = normalize_currency(currency)
    if isinstance(text, bool):
        raise UserError(f"not an amount: {text!r}")
    exp = _iso()[cur]
    if isinstance(text, int):
        return int(text) * int(10**exp)
    raw = str(text).strip().replace(",", "").replace("_", "")
    m = _AMOUNT.match(raw)
    if not m:
        raise UserError(f"not an amount: {text!r} (write it like 9.99)")
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
    exp = _iso()[cur]
    sign = "-" if amount < 0 else ""
    a = abs(amount)
    if exp == 0:
        return f"{sign}{a} {cur}"
    return f"{sign}{a // 10**exp}.{a % 10**exp:0{exp}d} {cur}"


def _power(digits: int) -> int:
    return int(10**digits)


# -- Stripe ----------------------------------------------------------------------------------------
def stripe_exponent(currency: str) -> int:
    """The exponent of ``amount`` in Stripe's API for ``currency``."""
    cur = normalize_currency(currency)
    if cur in STRIPE_ZERO_DECIMAL:
        return 0
    if cur in STRIPE_TWO_DECIMAL_WHOLE:
        return 2
    return _iso()[cur]


def stripe_step(currency: str) -> int:
    """Stripe accepts only multiples of this in its own units (ISK: whole krónur; 3 decimals: last digit 0)."""
    cur = normalize_currency(currency)
    if cur in STRIPE_TWO_DECIMAL_WHOLE:
        return 100
    return 10 if stripe_exponent(cur) == 3 else 1


def to_stripe(minor: int, currency: str) -> int:
    """ISO minor units -> Stripe's ``amount``; a ``UserError`` where Stripe cannot charge that exact amount."""
    cur = normalize_currency(currency)
    shift = stripe_exponent(cur) - _iso()[cur]
    if shift >= 0:
        amount = minor * _power(shift)
    else:
        amount, rest = divmod(minor, _power(-shift))
        if rest:
            raise UserError(f"Stripe charges {cur} in whole units only; {format_minor(minor, cur)} is not one")
    step = stripe_step(cur)
    if amount % step:  # only where the units agree (three decimals): a step is then a number of minor units
        raise UserError(f"Stripe charges {cur} in steps of {format_minor(step, cur)} only; "
                        f"{format_minor(minor, cur)} cannot be charged exactly")
    return amount


def from_stripe(amount: int, currency: str) -> int:
    """Stripe's ``amount`` -> ISO minor units (exact; Stripe's units are never finer than ISO's but for ISK)."""
    cur = normalize_currency(currency)
    shift = stripe_exponent(cur) - _iso()[cur]
    if shift <= 0:
        return amount * _power(-shift)
    minor, rest = divmod(amount, _power(shift))
    if rest:
        raise UserError(f"Stripe reported {amount} in {cur} units of 1/{10 ** stripe_exponent(cur)}, "
                        f"finer than {cur} has; it cannot be recorded exactly")
    return minor
