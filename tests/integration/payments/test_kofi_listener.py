"""The Ko-fi webhook listener over real sockets: HTTP answers to hostile requests, bounded resources,
good webhooks served while under load."""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from app.payments.model import Provider
from services.payments.ledger import TxnFilter
from services.payments.providers.kofi_listener import KofiListener, ListenerLimits

TOKEN = "kofi-verification-token"
LIMITS = ListenerLimits(max_body=64 * 1024, header_timeout=1.0, body_timeout=1.0, max_connections=400)


def body_of(n: int, **extra: Any) -> bytes:
    payload = {"verification_token": TOKEN, "message_id": f"msg-{n}", "timestamp": "2026-11-02T10:00:00Z",
               "type": "Donation", "amount": "3.00", "currency": "USD", "kofi_transaction_id": f"tx-{n}", **extra}
    return ("data=" + urllib.parse.quote(json.dumps(payload))).encode()


@pytest.fixture
def listener(pay: Any, secrets: Any) -> Iterator[tuple[KofiListener, Any]]:
    secrets.set("provider:kofi", TOKEN)
    _manager, svc = pay()
    with svc.start_kofi_listener(limits=LIMITS) as running:  # stops by itself when the test ends
        yield running, svc


def connect(lst: KofiListener) -> socket.socket:
    host, port = lst.url[len("http://"):].rstrip("/").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def exchange(lst: KofiListener, raw: bytes) -> int:
    """Send raw bytes, read the answer's status code (0 if the connection closed without one)."""
    with connect(lst) as s:
        s.sendall(raw)
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                return 0
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def post(lst: KofiListener, body: bytes, length: str | None = None, extra: str = "") -> int:
    length_header = "" if length is None else f"Content-Length: {length}\r\n"
    head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n{length_header}{extra}\r\n"
    return exchange(lst, head.encode() + body)


def test_a_good_webhook_is_stored(listener: tuple[KofiListener, Any]) -> None:
    lst, svc = listener
    assert post(lst, body_of(1), str(len(body_of(1)))) == 200
    assert [t.provider_id for t in svc.list_transactions(TxnFilter(provider=Provider.KOFI.value))] == ["tx-1"]


@pytest.mark.parametrize(
    ("length", "extra", "status"),
    [
        ("-1", "", 400),
        ("abc", "", 400),
        ("1e3", "", 400),
        ("10, 12", "", 400),
        (None, "", 411),
        (None, "Transfer-Encoding: chunked\r\n", 411),
        (str(200 * 1024 * 1024), "", 413),
    ],
    ids=["minus one", "not a number", "exponent", "two lengths", "missing", "chunked", "200 MB"],
)
def test_bad_lengths_get_their_http_answer(listener: tuple[KofiListener, Any], length: str | None, extra: str,
                                           status: int) -> None:
    lst, svc = listener
    assert post(lst, b"", length, extra) == status  # the answer comes without the body being sent
    assert svc.count_transactions(TxnFilter(provider=Provider.KOFI.value)) == 0


@pytest.mark.parametrize(
    "body",
    [("data=" + urllib.parse.quote("[" * 3000 + "]" * 3000)).encode(), b'{"a": ' + b"[" * 20000 + b"]" * 20000 + b"}"],
    ids=["form field nested 3000 deep", "bare JSON nested 20000 deep"],
)
def test_deep_json_is_400(listener: tuple[KofiListener, Any], body: bytes) -> None:
    lst, _svc = listener
    assert post(lst, body, str(len(body))) == 400


def test_a_stalled_client_gets_408_and_is_closed(listener: tuple[KofiListener, Any]) -> None:
    lst, _svc = listener
    with connect(lst) as s:
        s.sendall(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part of it")
        s.settimeout(5)
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert s.recv(4096) == b""  # closed after the answer


def test_good_webhooks_are_served_while_300_clients_stall(pay: Any, secrets: Any) -> None:
    secrets.set("provider:kofi", TOKEN)
    _manager, svc = pay()
    lst = svc.start_kofi_listener(limits=ListenerLimits(header_timeout=4.0, max_connections=400))
    stalled = [connect(lst) for _ in range(300)]
    try:
        for s in stalled[:150]:
            s.sendall(b"POST / HTTP/1.1\r\nContent-Len")  # headers that never end
        deadline = time.monotonic() + 3
        while lst.open_connections < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lst.open_connections >= 300  # all held open at once: sockets, not threads
        for n in range(5):
            assert post(lst, body_of(n), str(len(body_of(n)))) == 200
        assert svc.count_transactions(TxnFilter(provider=Provider.KOFI.value)) == 5
        deadline = time.monotonic() + 15
        while lst.open_connections > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lst.open_connections == 0  # the header timeout drops them
    finally:
        for s in stalled:
            s.close()
        lst.stop()


def test_connections_beyond_the_bound_get_503(pay: Any, secrets: Any) -> None:
    secrets.set("provider:kofi", TOKEN)
    _manager, svc = pay()
    with svc.start_kofi_listener(limits=ListenerLimits(max_connections=3, header_timeout=5)) as lst:
        held = [connect(lst) for _ in range(3)]
        try:
            deadline = time.monotonic() + 5
            while lst.open_connections < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert post(lst, body_of(1), str(len(body_of(1)))) == 503
        finally:
            for s in held:
                s.close()


def test_only_post_is_accepted(listener: tuple[KofiListener, Any]) -> None:
    lst, _svc = listener
    assert exchange(lst, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == 405
