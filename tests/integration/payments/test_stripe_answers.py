"""Stripe answers the emulator cannot be made to give (a field of another type, a page without its list), from a
stand-in that serves Stripe's list envelope on 127.0.0.1: each is refused in one line naming the object and field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.errors import ProviderError
from services.payments.ledger import TxnFilter
from tests.support import payments_standins as st


def _charge(**extra: Any) -> dict[str, Any]:
    charge = {"id": "ch_1", "object": "charge", "amount": 1200, "amount_refunded": 0, "captured": True,
              "currency": "usd", "created": 1790000000, "status": "succeeded", "payment_intent": None,
              "metadata": {}, "description": "Flashlight Pro"}
    charge.update(extra)
    return charge


@pytest.fixture
def stripe_lists(pay: Any, secrets: Any) -> Iterator[tuple[Any, st.StripeListState]]:
    state = st.StripeListState()
    secrets.set("provider:stripe", st.STRIPE_KEY)
    with st.StripeListServer(state) as server:
        _manager, svc = pay(TRENDFORGE_STRIPE_BASE_URL=server.url)
        yield svc, state


def test_a_well_formed_charge_without_a_payment_intent_becomes_a_ledger_row(stripe_lists: Any) -> None:
    svc, state = stripe_lists
    state.lists["charges"] = [_charge()]
    [rep] = svc.sync("stripe")
    assert rep.error is None
    [row] = svc.list_transactions(TxnFilter(provider="stripe"))
    assert (row.provider_id, row.amount, row.currency) == ("ch_1", 1200, "USD")


def test_a_charge_whose_amount_is_text_is_refused_in_one_line_naming_it(stripe_lists: Any) -> None:
    svc, state = stripe_lists
    state.lists["charges"] = [_charge(amount="12.00")]
    with pytest.raises(ProviderError, match=r"^stripe charge 'ch_1': amount must be an integer, not a string$"):
        svc.sync("stripe")


def test_a_page_whose_data_is_not_a_list_is_refused_in_one_line(stripe_lists: Any) -> None:
    svc, state = stripe_lists
    state.lists["refunds"] = {"re_1": {"id": "re_1"}}
    with pytest.raises(ProviderError, match=r"^stripe refunds page: data must be a list, not an object$"):
        svc.sync("stripe")
