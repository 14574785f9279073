"""One source of currency exponents (ISO 4217 through the iso4217 package) and Stripe's documented units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from iso4217 import Currency

from app.currency import (
    STRIPE_ZERO_DECIMAL,
    exponent,
    format_minor,
    from_stripe,
    iso_codes,
    stripe_exponent,
    to_minor,
    to_stripe,
)
from app.errors import UserError
from app.templates.rules import format_price, parse_price

CODES = iso_codes()
amounts = st.integers(min_value=0, max_value=10**12)


def test_every_iso_currency_is_known() -> None:
    assert len(CODES) == len(list(Currency)) > 150
    assert {c.code for c in Currency} == set(CODES)


@given(st.sampled_from(CODES))
def test_the_exponent_is_iso_4217s(code: str) -> None:
    assert exponent(code) == (Currency[code].exponent or 0)


@given(amounts, st.sampled_from(CODES))
def test_payments_format_then_parse_round_trips_in_every_currency(minor: int, code: str) -> None:
    assert to_minor(format_minor(minor, code).split()[0], code) == minor


@given(st.integers(min_value=1, max_value=10**8), st.sampled_from(CODES))  # prices have at most 9 digits
def test_a_template_price_means_the_same_minor_units_as_a_payment(minor: int, code: str) -> None:
    text = format_price(minor, code).split()[0]
    assert parse_price(text, code) == to_minor(text, code) == minor


@given(amounts, st.sampled_from(CODES))
def test_stripe_units_round_trip_where_stripe_can_charge_the_amount(minor: int, code: str) -> None:
    try:
        sent = to_stripe(minor, code)
    except UserError:
        # only where Stripe's units are coarser than ISO's, or three-decimal amounts not ending in 0
        assert stripe_exponent(code) < exponent(code) or (exponent(code) == 3 and minor % 10)
        return
    assert from_stripe(sent, code) == minor


def test_the_two_tables_that_disagreed_now_agree() -> None:
    # the cases: HUF "1000" and KWD "1.5" were different minor units in payments and templates
    assert parse_price("1000", "HUF") == to_minor("1000", "HUF") == 100000
    assert parse_price("1.5", "KWD") == to_minor("1.5", "KWD") == 1500


@pytest.mark.parametrize(("code", "minor", "stripe"), [
    ("MGA", 50000, 500),    # zero-decimal at Stripe, two decimals in ISO
    ("JPY", 500, 500),
    ("UGX", 500, 500),      # zero-decimal in both
    ("ISK", 5, 500),        # zero-decimal in ISO; two decimals in Stripe's API, whole krónur only
    ("HUF", 1050, 1050),    # charged with two decimals
    ("TWD", 1050, 1050),
    ("KWD", 5120, 5120),    # three decimals, last digit 0
    ("USD", 999, 999),
])
def test_stripe_units_follow_stripes_documented_overrides(code: str, minor: int, stripe: int) -> None:
    assert to_stripe(minor, code) == stripe and from_stripe(stripe, code) == minor


def test_stripe_refuses_what_it_cannot_charge_exactly() -> None:
    with pytest.raises(UserError, match="whole units"):
        to_stripe(12345, "MGA")  # 123.45 MGA
    with pytest.raises(UserError, match=r"steps of 0\.010 KWD"):
        to_stripe(5124, "KWD")
    assert "MGA" in STRIPE_ZERO_DECIMAL


def test_an_unknown_code_is_refused_in_one_line() -> None:
    with pytest.raises(UserError, match="not an ISO 4217 currency code: 'ABC'"):
        exponent("ABC")
