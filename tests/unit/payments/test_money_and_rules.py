"""Money parsing and refund rules: integer minor units, never floats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import UserError
from app.payments.model import Provider, TxnStatus, check_refund, status_after_refund
from app.payments.money import Money, exponent, format_minor, to_minor


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("9.99", "USD", 999), ("10", "usd", 1000), ("0.1", "EUR", 10), ("1,000.50", "GBP", 100050),
     ("500", "JPY", 500), ("1.234", "KWD", 1234), ("9.990", "USD", 999), ("0", "USD", 0)],
)
def test_to_minor(text: str, currency: str, minor: int) -> None:
    assert to_minor(text, currency) == minor


@pytest.mark.parametrize(("text", "currency"), [("9.999", "USD"), ("1.5", "JPY"), ("abc", "USD"), ("1e3", "USD"),
                                                ("", "USD"), ("1.00", "US"), ("1.00", "dollars")])
def test_bad_amounts_are_user_errors(text: str, currency: str) -> None:
    with pytest.raises(UserError):
        to_minor(text, currency)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["USD", "JPY", "KWD", "EUR"]))
def test_format_then_parse_round_trips(amount: int, currency: str) -> None:
    text = format_minor(amount, currency).split()[0]
    assert to_minor(text, currency) == amount


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(9.99, "USD")  # type: ignore[arg-type]
    assert Money.parse("9.99", "usd") + Money(1, "USD") == Money(1000, "USD")
    with pytest.raises(ValueError, match="cannot combine"):
        Money(1, "USD") + Money(1, "EUR")
    assert str(Money(-1250, "EUR")) == "-12.50 EUR"
    assert exponent("JPY") == 0 and exponent("KWD") == 3 and exponent("USD") == 2


def test_refund_rules() -> None:
    assert check_refund(None, 999, 0, "USD", TxnStatus.SUCCEEDED) == 999
    assert check_refund(300, 999, 0, "USD", TxnStatus.SUCCEEDED) == 300
    assert check_refund(None, 999, 300, "USD", TxnStatus.PARTIALLY_REFUNDED) == 699
    with pytest.raises(UserError, match=r"only 6\.99 USD"):
        check_refund(700, 999, 300, "USD", TxnStatus.PARTIALLY_REFUNDED)
    with pytest.raises(UserError, match="already fully refunded"):
        check_refund(None, 999, 999, "USD", TxnStatus.REFUNDED)
    with pytest.raises(UserError, match="captured"):
        check_refund(None, 999, 0, "USD", TxnStatus.DECLINED)
    with pytest.raises(UserError, match="positive"):
        check_refund(0, 999, 0, "USD", TxnStatus.SUCCEEDED)
    assert status_after_refund(999, 0) is TxnStatus.SUCCEEDED
    assert status_after_refund(999, 1) is TxnStatus.PARTIALLY_REFUNDED
    assert status_after_refund(999, 999) is TxnStatus.REFUNDED


def test_providers() -> None:
    assert Provider.parse(" Stripe ") is Provider.STRIPE
    with pytest.raises(UserError, match="unknown provider"):
        Provider.parse("paypal")
    assert Provider.STRIPE.can_charge and not Provider.KOFI.can_charge
    assert "ko-fi.com" in Provider.KOFI.refund_location
