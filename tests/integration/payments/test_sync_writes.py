"""A sync fetches while it writes, and writes the pages that arrive while a write runs together, in one
transaction, in order.

The disk is made slow by holding the first write for a moment (a spy around the service's own
write step, which then calls the real one); the pages come from localstripe over real HTTP.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from services.payments.ledger import TxnFilter
from services.payments.providers.base import SyncBatch

PAGE = 7


def _intents(stripe_sdk: Any, n: int) -> list[str]:
    return [stripe_sdk.v1.payment_intents.create(params={
        "amount": 100 + i, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}).id
        for i in range(n)]


def _slow_first_write(svc: Any, monkeypatch: pytest.MonkeyPatch) -> list[list[SyncBatch]]:
    writes: list[list[SyncBatch]] = []
    real = svc._apply_batches

    def spy(p: Any, batches: list[SyncBatch], totals: dict[str, int]) -> None:
        writes.append(list(batches))
        if len(writes) == 1:
            time.sleep(0.5)  # a slow disk: the next pages arrive while this write runs
        real(p, batches, totals)

    monkeypatch.setattr(svc, "_apply_batches", spy)
    return writes


def test_pages_fetched_during_a_slow_write_go_into_one_later_write(stripe_app: Any, stripe_sdk: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _manager, svc = stripe_app
    svc.page_size = PAGE
    made = _intents(stripe_sdk, 23)
    writes = _slow_first_write(svc, monkeypatch)
    [rep] = svc.sync("stripe")
    assert rep.error is None and rep.added == 23
    pages = sum(len(w) for w in writes)
    assert pages == rep.pages + sum(1 for w in writes for b in w if not b.size)
    assert len(writes) < pages, "every page was its own write"
    assert any(len(w) > 1 for w in writes[1:])
    assert {r.provider_id for r in svc.list_transactions(TxnFilter(limit=100))} == set(made)
    [again] = svc.sync("stripe")  # the cursors saved with the merged pages cover every row
    assert (again.added, again.updated) == (0, 0)


def test_a_merged_write_holds_at_most_write_rows_rows(stripe_app: Any, stripe_sdk: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _manager, svc = stripe_app
    svc.page_size = PAGE
    svc.write_rows = PAGE  # one full page reaches the bound: nothing is merged
    _intents(stripe_sdk, 15)
    writes = _slow_first_write(svc, monkeypatch)
    [rep] = svc.sync("stripe")
    assert rep.error is None and rep.added == 15
    assert all(len(w) == 1 or sum(b.size for b in w[:-1]) < PAGE for w in writes)


def test_the_next_page_is_requested_before_the_previous_one_is_committed(stripe_app: Any, stripe_sdk: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Network and disk overlap: while a write runs on its worker, the loop goes on fetching."""
    from services.payments.providers.stripe_provider import StripeProvider

    _manager, svc = stripe_app
    svc.page_size = PAGE
    _intents(stripe_sdk, 3 * PAGE)
    requests = 0
    real_list = StripeProvider._list

    async def counted(self: StripeProvider, resource: str, params: dict[str, Any]) -> Any:
        nonlocal requests
        requests += 1
        return await real_list(self, resource, params)

    monkeypatch.setattr(StripeProvider, "_list", counted)
    seen: list[tuple[int, int]] = []  # requests sent when each write began, and when it was committed
    real = svc._apply_batches

    def spy(p: Any, batches: list[SyncBatch], totals: dict[str, int]) -> None:
        began = requests
        if not seen:
            time.sleep(0.5)  # a slow first write
        real(p, batches, totals)
        seen.append((began, requests))

    monkeypatch.setattr(svc, "_apply_batches", spy)
    [rep] = svc.sync("stripe")
    assert rep.error is None and rep.added == 3 * PAGE
    began, committed = seen[0]
    assert committed > began, "no request was sent while the first page was being written"


def test_a_page_becomes_ledger_rows_off_the_loops_thread(stripe_app: Any, stripe_sdk: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop is the GUI's under qasync: turning a page into rows there held the GUI thread for a page's worth."""
    import threading

    from services.payments.providers.stripe_provider import StripeProvider

    _manager, svc = stripe_app
    svc.page_size = PAGE
    made = _intents(stripe_sdk, 2 * PAGE)
    loop_threads: set[int] = set()
    convert_threads: set[int] = set()
    real_list = StripeProvider._list
    real_convert = StripeProvider._convert

    async def on_loop(self: StripeProvider, resource: str, params: dict[str, Any]) -> Any:
        loop_threads.add(threading.get_ident())
        return await real_list(self, resource, params)

    def converting(resource: str, obj: Any, batch: SyncBatch) -> None:
        convert_threads.add(threading.get_ident())
        real_convert(resource, obj, batch)

    monkeypatch.setattr(StripeProvider, "_list", on_loop)
    monkeypatch.setattr(StripeProvider, "_convert", staticmethod(converting))
    [rep] = svc.sync("stripe")
    assert rep.error is None and rep.added == len(made)
    assert convert_threads, "no object was converted"
    assert len(loop_threads) == 1
    assert not convert_threads & loop_threads, "a page was converted on the loop's thread"
