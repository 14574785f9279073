"""A provider's client is built off the event loop's thread (under qasync that loop is the GUI's).

Building it reads the keyring, and the first one imports the SDK and loads the CA bundle into the
loop's HTTP client: about a second of stall on the GUI thread when Sync was first pressed. The
spy on the HTTP clients' ``get`` records the calling thread and then calls the real one.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from tests.support.gui_thread_sql import sql_on_gui_thread
from tests.support.payments_standins import STRIPE_KEY

ROOT = Path(__file__).resolve().parents[3]


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


CHILD = """
import asyncio, sys, threading
from importlib.abc import MetaPathFinder

on_loop = []
watched = tuple(sys.argv[3].split(","))
syncing = False

class Watch(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if syncing and name.startswith(watched) and threading.current_thread() is threading.main_thread():
            on_loop.append(name)
        return None

sys.meta_path.insert(0, Watch())
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore

config = AppConfig.from_env(sys.argv[1])
config.log_to_file = False
secrets = MemorySecretStore()
secrets.set("provider:stripe", sys.argv[2])
manager = bootstrap(config, secrets=secrets)

async def main():
    [report] = await manager.payments.sync_async("stripe")
    await manager.payments.http.close_current()
    assert report.error is None and report.added, report

syncing = True  # what the loop's thread imports while the sync runs
asyncio.run(main())
syncing = False
manager.close()
print(" ".join(on_loop) or "-")
"""


def test_a_first_sync_imports_no_stripe_module_on_the_loop_thread(localstripe_url: str, stripe_sdk: Any,
                                                                   tmp_path: Path) -> None:
    """In a fresh interpreter (this one has the SDK loaded): the SDK's lazily imported resource
    classes (hundreds of ms at the first page) come in while the provider is built, on its worker."""
    stripe_sdk.v1.payment_intents.create(params={"amount": 500, "currency": "usd", "payment_method": "pm_card_visa",
                                                 "confirm": True})
    env = {**os.environ, "TRENDFORGE_STRIPE_BASE_URL": localstripe_url, "PYTHONPATH": str(ROOT)}
    assert _imported_on_the_loop(env, tmp_path, "stripe") == "-"


def _imported_on_the_loop(env: dict[str, str], tmp_path: Path, prefixes: str) -> str:
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "data"), STRIPE_KEY, prefixes], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split("\n")[-2] if done.stdout.endswith("\n") else done.stdout


def test_a_first_sync_imports_no_http_backend_or_currency_table_on_the_loop_thread(
        localstripe_url: str, stripe_sdk: Any, tmp_path: Path) -> None:
    """The first request's async HTTP backend (anyio) and the ISO 4217 table (an XML parse) come in while the
    provider is built, on its worker: they were 121 ms of the GUI's loop at a first Sync."""
    stripe_sdk.v1.payment_intents.create(params={"amount": 600, "currency": "usd", "payment_method": "pm_card_visa",
                                                 "confirm": True})
    env = {**os.environ, "TRENDFORGE_STRIPE_BASE_URL": localstripe_url, "PYTHONPATH": str(ROOT)}
    imported = _imported_on_the_loop(env, tmp_path, "anyio,httpcore,iso4217,xml,h11")
    assert imported == "-", sorted(set(imported.split()))


def test_a_sync_runs_no_sql_on_the_loop_thread(stripe_app: Any, stripe_sdk: Any) -> None:
    """Cursors, the provider's health row and the closing event are read and written on workers too."""
    manager, svc = stripe_app
    stripe_sdk.v1.payment_intents.create(params={"amount": 700, "currency": "usd", "payment_method": "pm_card_visa",
                                                 "confirm": True})

    async def sync_on_this_thread() -> list[Any]:
        reports: list[Any] = await svc.sync_async("stripe")
        await svc.http.close_current()
        return reports

    with sql_on_gui_thread(manager.ctx.engine) as on_loop:
        [report] = asyncio.run(sync_on_this_thread())
    assert report.error is None and report.added
    assert on_loop == []


def test_a_synced_page_is_never_turned_into_stripe_objects(stripe_app: Any, stripe_sdk: Any) -> None:
    """The sync reads the page's JSON as the SDK parsed it: building StripeObjects (on the loop, or on a
    worker, where it took more thread time than the whole listing) is watched on every thread."""
    _manager, svc = stripe_app
    stripe_sdk.v1.payment_intents.create(params={"amount": 900, "currency": "usd", "payment_method": "pm_card_visa",
                                                 "confirm": True})
    conversions: list[str] = []

    def watch(frame: FrameType, event: str, _arg: object) -> None:
        code = frame.f_code
        if event == "call" and code.co_name == "_refresh_from" and code.co_filename.endswith("_stripe_object.py"):
            conversions.append(threading.current_thread().name)

    async def sync_on_this_thread() -> list[Any]:
        reports: list[Any] = await svc.sync_async("stripe")
        await svc.http.close_current()
        return reports

    threading.setprofile(watch)  # the workers this run starts
    sys.setprofile(watch)  # and this thread: the loop's
    try:
        [report] = asyncio.run(sync_on_this_thread())
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    assert report.error is None and report.added
    assert conversions == []


def test_a_syncs_http_requests_are_sent_from_a_loop_on_a_worker_not_the_callers(
        stripe_app: Any, stripe_sdk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under qasync the caller's loop is the GUI's: each request's callbacks (the SDK's, httpx's, the
    connection's) were GUI-thread time that waited for the GIL while workers wrote the pages. The spy on
    ``httpx.AsyncClient.send`` records the sending thread and the client, then sends."""
    import httpx

    _manager, svc = stripe_app
    stripe_sdk.v1.payment_intents.create(params={"amount": 1100, "currency": "usd", "payment_method": "pm_card_visa",
                                                 "confirm": True})
    senders: list[tuple[int, httpx.AsyncClient]] = []
    real_send = httpx.AsyncClient.send

    async def spy(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> httpx.Response:
        senders.append((threading.get_ident(), self))
        return await real_send(self, *args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "send", spy)

    [report] = asyncio.run(svc.sync_async("stripe"))
    assert report.error is None and report.added
    assert senders, "the sync sent no request"
    assert threading.get_ident() not in {thread for thread, _client in senders}
    assert all(client.is_closed for _thread, client in senders)  # the worker loop's client ends with its loop
