"""A provider's client is built off the event loop's thread (under qasync that loop is the GUI's).

Building it reads the keyring, and the first one imports the SDK and loads the CA bundle into the
loop's HTTP client: about a second of stall on the GUI thread when Sync was first pressed. The
spy on the HTTP clients' ``get`` records the calling thread and then calls the real one.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest


def test_a_sync_builds_its_stripe_client_off_the_loop_thread(stripe_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _manager, svc = stripe_app
    callers: list[int] = []
    real_get = svc.http.get

    def spy(*args: Any) -> Any:
        callers.append(threading.get_ident())
        return real_get(*args)

    monkeypatch.setattr(svc.http, "get", spy)

    async def sync_on_this_thread() -> list[Any]:
        reports: list[Any] = await svc.sync_async("stripe")
        await svc.http.close_current()
        return reports

    [report] = asyncio.run(sync_on_this_thread())
    assert report.error is None
    assert callers, "the sync built no HTTP client"
    assert threading.get_ident() not in callers
