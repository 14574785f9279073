"""Bench: sync 10,000 Stripe objects into the ledger vs. the same listing with the bare SDK.

The server is a local stand-in that serves Stripe-format lists (``{"object": "list",
"data": [...], "has_more": ...}``, ``limit``/``starting_after`` cursors) from memory:
localstripe pickles its whole store on every write and would take minutes to seed 10,000
objects. 4,000 payment intents + 4,000 charges + 2,000 balance transactions = 10,000.

Baseline: the official SDK (``StripeClient``, its own async HTTPX client) paging through
the same five lists the sync reads, doing nothing with the objects. Beside it (no target): the
same lists as the SDK's raw requests, JSON only, which is how the sync reads its pages.
Figure: ``PaymentsService.sync_async("stripe")`` on a fresh data dir (convert, upsert into
SQLite, daily rollup, cursors, events). Target: at most 1.3x the baseline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.table import load, row  # noqa: E402

N_PI, N_CH, N_BT = 4000, 4000, 2000
KEY = "sk_test_bench123456"
T0 = 1_760_000_000


def _objects(tag: str = "", t0: int = T0) -> dict[str, list[dict[str, object]]]:
    """The 10,000 objects; ``tag`` makes their ids new (a sync into an existing ledger then inserts them)."""
    pis, chs, bts = [], [], []
    for i in range(N_PI):
        created = t0 + i * 60
        pis.append({"id": f"pi_{tag}{i:08d}", "object": "payment_intent", "amount": 500 + i % 700, "currency": "usd",
                    "status": "succeeded", "created": created, "metadata": {"template_id": f"tpl-{i % 25}"},
                    "latest_charge": f"ch_{tag}{i:08d}", "last_payment_error": None, "next_action": None,
                    "description": None, "livemode": False})
        chs.append({"id": f"ch_{tag}{i:08d}", "object": "charge", "payment_intent": f"pi_{tag}{i:08d}", "amount": 500 + i % 700,
                    "amount_refunded": 100 if i % 50 == 0 else 0, "captured": True, "currency": "usd",
                    "status": "succeeded", "created": created, "metadata": {}, "livemode": False})
    for i in range(N_BT):
        bts.append({"id": f"txn_{tag}{i:08d}", "object": "balance_transaction", "amount": 500 + i % 700,
                    "fee": 45 + i % 7, "net": 455 + i % 700 - i % 7, "currency": "usd", "type": "charge",
                    "status": "available", "source": f"ch_{tag}{i:08d}", "created": t0 + i * 60})
    out = {"payment_intents": pis, "charges": chs, "balance_transactions": bts, "refunds": [], "products": []}
    for v in out.values():
        v.reverse()  # newest first, like Stripe
    return out


def _serve(port: int, tag: str = "", t0: int = T0) -> None:
    objects = _objects(tag, t0)
    index = {name: {o["id"]: i for i, o in enumerate(objs)} for name, objs in objects.items()}
    cache: dict[tuple[str, str, int], bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # no Nagle: a keep-alive response in two writes (headers, body) otherwise waits ~40 ms for the
        # client's delayed ACK, padding both sides of the ratio with latency no real server adds
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            name = parts.path.removeprefix("/v1/")
            q = dict(urllib.parse.parse_qsl(parts.query))
            if name not in objects:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            limit = int(q.get("limit", "10"))
            after = q.get("starting_after", "")
            key = (name, after, limit)
            body = cache.get(key)
            if body is None:
                start = index[name][after] + 1 if after else 0
                data = objects[name][start:start + limit]
                body = json.dumps({"object": "list", "url": f"/v1/{name}", "data": data,
                                   "has_more": start + limit < len(objects[name])}).encode()
                cache[key] = body
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.serve_forever()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _bare_sdk(url: str) -> int:
    import stripe

    client = stripe.StripeClient(KEY, base_addresses={"api": url}, http_client=stripe.HTTPXClient(),
                                 max_network_retries=0)
    total = 0
    v1 = client.v1
    for lister in (v1.products.list_async, v1.payment_intents.list_async, v1.charges.list_async,
                   v1.refunds.list_async, v1.balance_transactions.list_async):
        params: dict[str, object] = {"limit": 100}
        while True:
            page = await lister(params=params)  # type: ignore[operator]
            total += len(page.data)
            if not page.has_more:
                break
            params["starting_after"] = page.data[-1].id
    return total


async def _raw_sdk(url: str) -> int:
    """The same lists through the SDK's raw requests (its HTTP and JSON, no StripeObjects): what the sync
    itself reads, a stricter baseline printed beside the figure (not the target's)."""
    import stripe

    client = stripe.StripeClient(KEY, base_addresses={"api": url}, http_client=stripe.HTTPXClient(),
                                 max_network_retries=0)
    total = 0
    for name in ("products", "payment_intents", "charges", "refunds", "balance_transactions"):
        params: dict[str, object] = {"limit": 100}
        while True:
            page = (await client.raw_request_async("get", f"/v1/{name}", **params)).data
            total += len(page["data"])
            if not page["has_more"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
    return total


def _ours(url: str, data_dir: str) -> tuple[int, float]:
    os.environ["TRENDFORGE_STRIPE_BASE_URL"] = url
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.secrets import MemorySecretStore

    cfg = AppConfig.from_env(data_dir)
    cfg.log_to_file = False
    secrets = MemorySecretStore()
    secrets.set("provider:stripe", KEY)
    manager = bootstrap(cfg, secrets=secrets)
    try:
        start = time.perf_counter()
        [report] = manager.payments.sync("stripe")
        elapsed = time.perf_counter() - start
        assert report.error is None, report.error
        assert manager.payments.count_transactions() == N_PI
        return report.fetched, elapsed
    finally:
        manager.close()


@contextlib.contextmanager
def stand_in(tag: str = "", t0: int = T0) -> Iterator[str]:
    """The stand-in server in a child process (its own GIL) on a free loopback port; yields its URL."""
    port = _free_port()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(port, tag, t0), daemon=True)
    server.start()
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.join(5)


def main() -> None:
    with stand_in() as url:
        asyncio.run(_bare_sdk(url))  # warm the server's page cache and the imports
        asyncio.run(_raw_sdk(url))
        base_times, raw_times, our_times = [], [], []
        for _ in range(5):  # interleaved: A B C A B C ...
            start = time.perf_counter()
            n = asyncio.run(_bare_sdk(url))
            base_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            n_raw = asyncio.run(_raw_sdk(url))
            raw_times.append(time.perf_counter() - start)
            with tempfile.TemporaryDirectory() as d:
                fetched, elapsed = _ours(url, d)
            our_times.append(elapsed)
        assert n == n_raw == fetched == N_PI + N_CH + N_BT, (n, n_raw, fetched)
        base, raw, ours = (statistics.median(t) for t in (base_times, raw_times, our_times))
        print(f"payments sync of {fetched} Stripe objects (stand-in server, no Nagle, median of 5 interleaved)")
        print(f"  bare SDK listing (baseline): {base * 1000:8.0f} ms  {[round(t * 1000) for t in base_times]}")
        print(f"  raw SDK listing, JSON only:  {raw * 1000:8.0f} ms  {[round(t * 1000) for t in raw_times]}")
        print(f"  TrendForge sync into ledger: {ours * 1000:8.0f} ms  {[round(t * 1000) for t in our_times]}")
        print(f"  sync / raw listing: {ours / raw:.2f}x (the sync reads pages as JSON too; no target)")
        row(f"Stripe sync of {fetched:,} objects", ours * 1000, base * 1000, "ms", "<= 1.30x bare SDK", ours / base <= 1.3)
        print(load())


if __name__ == "__main__":
    main()
