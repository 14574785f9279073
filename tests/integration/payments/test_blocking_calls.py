"""A plain (blocking) payments call from a panel's worker runs on the application's loop, with its
long-lived HTTP client, instead of a loop of its own per call. (A sync's paged listing is the exception:
it runs on a loop of its own on a worker, with a client for the sync; see test_provider_thread.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tests.support import payments_standins as st
from tests.support.qasync_loop import app_loop


def test_a_workers_plain_call_runs_on_the_applications_loop_and_keeps_its_http_client(
        qapp: QApplication, pay: Callable[..., Any], secrets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    state = st.ItchState()
    state.games = [{"id": 1, "title": "Neon", "url": "u", "min_price": 100, "earnings": []}]
    state.purchases = {"1": [{"id": 900 + i, "game_id": 1, "created_at": f"2026-10-0{i + 1}T10:00:00Z",
                              "price": 100, "currency": "USD"} for i in range(3)]}
    secrets.set("provider:itch", state.key)
    with st.ItchServer(state) as server:
        _, svc = pay(TRENDFORGE_ITCH_BASE_URL=server.url + "/api/1")
        with app_loop(qapp, lent=True) as loop:
            async def from_a_worker() -> Any:
                return await asyncio.to_thread(lambda: svc.test_connection("itch"))

            loop.run_until_complete(from_a_worker())
            assert loop in svc.http._clients  # the application loop's client, kept for the next call
            loop.run_until_complete(svc.end_loop())
