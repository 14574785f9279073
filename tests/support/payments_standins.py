"""Stand-in servers for the payment tests, all on 127.0.0.1.

- localstripe (the Stripe emulator) as a child process, via ``run_localstripe.py``;
- a Gumroad ``/v2`` stand-in, an itch.io ``/api/1`` stand-in (from the documented formats);
- a fault proxy that forwards to an upstream and then drops the response, answers 500 or
  429 with Retry-After, or stalls, on chosen requests.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.children import stop_child

HERE = Path(__file__).resolve().parent
STRIPE_KEY = "sk_test_trendforge123456"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def localstripe() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(HERE / "run_localstripe.py"), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"localstripe exited: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}")
            try:
                req = urllib.request.Request(url + "/v1/customers", headers={"Authorization": "Bearer sk_test_x"})
                with urllib.request.urlopen(req, timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("localstripe did not answer within 30 s") from None
                time.sleep(0.1)
        yield url
    finally:
        stop_child(proc)
        if proc.stderr:
            proc.stderr.close()


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1:0 in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Any:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def owner(self) -> Any:
        return self.server.owner  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""


# -- Gumroad -----------------------------------------------------------------------------------


@dataclass
class GumroadState:
    token: str = "gum-token"
    sales: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 10
    narrow_over_days: int | None = None  # answer 400 "narrow the date range" for wider queries
    repeat_cursor_after: int | None = None  # after N pages, keep answering the same next_page_key
    requests: list[str] = field(default_factory=list)
    refunds: list[tuple[str, int | None]] = field(default_factory=list)


class GumroadServer(_Server):
    def __init__(self, state: GumroadState) -> None:
        self.state = state
        super().__init__(_GumroadHandler)


def make_sale(i: int, day: date, price: int = 500, **extra: Any) -> dict[str, Any]:
    sale = {
        "id": f"gsale{i:05d}", "email": f"buyer{i}@example.com", "created_at": f"{day.isoformat()}T12:00:00Z",
        "product_id": "gprod1", "product_name": "Flashlight Pro", "product_permalink": "flash",
        "price": price, "gumroad_fee": price // 10, "currency_symbol": "$", "formatted_display_price": "$5",
        "refunded": False, "partially_refunded": False, "chargedback": False, "order_id": 1000 + i,
        "license_key": "XXXX",
    }
    sale.update(extra)
    return sale


class _GumroadHandler(_Handler):
    def _auth(self) -> bool:
        st: GumroadState = self.owner.state
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        ok = self.headers.get("Authorization") == f"Bearer {st.token}" or q.get("access_token") == [st.token]
        if not ok:
            self.send_json(401, {"success": False, "message": "The access token is invalid"})
        return ok

    def do_GET(self) -> None:
        st: GumroadState = self.owner.state
        st.requests.append(self.path)
        if not self._auth():
            return
        parts = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
        if parts.path == "/v2/products":
            self.send_json(200, {"success": True, "products": st.products})
            return
        if parts.path.startswith("/v2/sales/"):
            sid = parts.path.rsplit("/", 1)[1]
            sale = next((s for s in st.sales if s["id"] == sid), None)
            if sale is None:
                self.send_json(404, {"success": False, "message": "Not found"})
            else:
                self.send_json(200, {"success": True, "sale": sale})
            return
        if parts.path != "/v2/sales":
            self.send_json(404, {"success": False, "message": "Not found"})
            return
        after = date.fromisoformat(q["after"]) if "after" in q else date.min
        before = date.fromisoformat(q["before"]) if "before" in q else date.max
        if st.narrow_over_days is not None and (before - after).days > st.narrow_over_days:
            self.send_json(400, {"success": False,
                                 "message": "The request timed out. Please narrow the date range (after/before)."})
            return
        rows = [s for s in st.sales if after <= date.fromisoformat(s["created_at"][:10]) <= before]
        rows.sort(key=lambda s: s["created_at"], reverse=True)
        page = int(q.get("page_key", "0") or 0)
        chunk = rows[page * st.page_size:(page + 1) * st.page_size]
        body: dict[str, Any] = {"success": True, "sales": chunk}
        if (page + 1) * st.page_size < len(rows):
            nxt = page + 1
            if st.repeat_cursor_after is not None and page >= st.repeat_cursor_after:
                nxt = page  # the documented bug: the same key again
            body["next_page_key"] = str(nxt)
            body["next_page_url"] = f"/v2/sales?page_key={nxt}"
        self.send_json(200, body)

    def do_PUT(self) -> None:
        st: GumroadState = self.owner.state
        st.requests.append("PUT " + self.path)
        if not self._auth():
            return
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.body().decode()).items()}
        parts = self.path.strip("/").split("/")
        if len(parts) == 4 and parts[1] == "sales" and parts[3] == "refund":
            sale = next((s for s in st.sales if s["id"] == parts[2]), None)
            if sale is None:
                self.send_json(404, {"success": False, "message": "Not found"})
                return
            if sale["refunded"]:
                self.send_json(200, {"success": False, "message": "Purchase is already refunded."})
                return
            amount = int(form["amount_cents"]) if "amount_cents" in form else None
            st.refunds.append((sale["id"], amount))
            if amount is None or amount >= sale["price"]:
                sale["refunded"] = True
            else:
                sale["partially_refunded"] = True
            self.send_json(200, {"success": True, "sale": sale})
            return
        self.send_json(404, {"success": False, "message": "Not found"})


# -- itch.io ------------------------------------------------------------------------------------


@dataclass
class ItchState:
    key: str = "itch-key"
    games: list[dict[str, Any]] = field(default_factory=list)
    purchases: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    per_page: int = 5
    requests: list[str] = field(default_factory=list)


class ItchServer(_Server):
    def __init__(self, state: ItchState) -> None:
        self.state = state
        super().__init__(_ItchHandler)


class _ItchHandler(_Handler):
    def do_GET(self) -> None:
        st: ItchState = self.owner.state
        st.requests.append(self.path)
        parts = urllib.parse.urlsplit(self.path)
        segs = parts.path.strip("/").split("/")  # api, 1, KEY|key, ...
        if segs[:2] != ["api", "1"] or len(segs) < 4:
            self.send_json(404, {"errors": ["not found"]})
            return
        key = segs[2] if segs[2] != "key" else self.headers.get("Authorization", "").removeprefix("Bearer ")
        if key != st.key:
            self.send_json(401, {"errors": ["invalid key"]})
            return
        rest = segs[3:]
        if rest == ["my-games"]:
            self.send_json(200, {"games": st.games})
            return
        if len(rest) == 3 and rest[0] == "game" and rest[2] == "purchases":
            q = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
            page = int(q.get("page", "1"))
            rows = st.purchases.get(rest[1], [])
            chunk = rows[(page - 1) * st.per_page: page * st.per_page]
            self.send_json(200, {"purchases": chunk, "page": page, "per_page": st.per_page})
            return
        self.send_json(404, {"errors": ["not found"]})


# -- Stripe lists (the answers localstripe cannot be made to give) ---------------------------------


@dataclass
class StripeListState:
    """What ``GET /v1/<resource>`` answers: ``data`` as given (possibly malformed), one page, no more."""

    lists: dict[str, Any] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class StripeListServer(_Server):
    def __init__(self, state: StripeListState) -> None:
        self.state = state
        super().__init__(_StripeListHandler)


class _StripeListHandler(_Handler):
    def do_GET(self) -> None:
        st: StripeListState = self.owner.state
        st.requests.append(self.path)
        path = urllib.parse.urlsplit(self.path).path
        resource = path.removeprefix("/v1/")
        if not path.startswith("/v1/") or "/" in resource:
            self.send_json(404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL (GET: {path})"}})
            return
        self.send_json(200, {"object": "list", "url": path, "has_more": False, "data": st.lists.get(resource, [])})


# -- fault proxy --------------------------------------------------------------------------------

Rule = Callable[[str, str, int], str | None]  # (method, path, request number) -> action or None


class FaultProxy(_Server):
    """Forwards to ``upstream``; ``rule`` may say, per request: ``drop_after`` (forward, then
    close without answering), ``500``, ``429`` (Retry-After: ``retry_after``, 1 unless set), or
    ``stall`` (answer nothing for ``stall_seconds``)."""

    def __init__(self, upstream: str, rule: Rule | None = None, stall_seconds: float = 3.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.rule: Rule = rule or (lambda m, p, n: None)
        self.stall_seconds = stall_seconds
        self.retry_after = "1"
        self.count = 0
        self.log: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        super().__init__(_ProxyHandler)


class _ProxyHandler(_Handler):
    def _forward(self) -> None:
        proxy: FaultProxy = self.owner
        body = self.body()
        with proxy.lock:
            proxy.count += 1
            n = proxy.count
        action = proxy.rule(self.command, self.path, n)
        proxy.log.append((self.command, self.path, action or "pass"))
        if action == "500":
            self.send_json(500, {"error": {"type": "api_error", "message": "injected server error"}})
            return
        if action == "429":
            self.send_json(429, {"error": {"type": "rate_limit_error", "message": "injected rate limit"}},
                           {"Retry-After": proxy.retry_after})
            return
        if action == "stall":
            time.sleep(proxy.stall_seconds)
            self.close_connection = True
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        req = urllib.request.Request(proxy.upstream + self.path, data=body if body else None, method=self.command,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, raw, rheaders = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as err:
            status, raw, rheaders = err.code, err.read(), err.headers
        if action == "drop_after":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        for k, v in rheaders.items():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_PUT(self) -> None:
        self._forward()

    def do_DELETE(self) -> None:
        self._forward()


# -- Stripe helpers (bare SDK) ---------------------------------------------------------------


def card_pm(sdk: Any, number: str) -> str:
    pm = sdk.v1.payment_methods.create(params={
        "type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
    return str(pm.id)


def stripe_intents(sdk: Any) -> list[Any]:
    out: list[Any] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = sdk.v1.payment_intents.list(params=params)
        out.extend(page.data)
        if not page.has_more:
            return out
        params["starting_after"] = page.data[-1].id
