"""Gumroad, itch.io and Ko-fi against stand-ins written from their documented formats."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.errors import ProviderError, UserError
from app.payments.model import Provider, TxnStatus
from app.remedies import SetCredential
from services.payments.ledger import TxnFilter
from tests.support import payments_standins as st

START = date(2026, 8, 1)
TODAY = date(2026, 10, 29)


@pytest.fixture
def gumroad(pay: Any, secrets: Any) -> Any:
    state = st.GumroadState()
    state.sales = [st.make_sale(i, START + timedelta(days=(i * 3) % 89), price=500 + i) for i in range(25)]
    state.products = [{"id": "gprod1", "name": "Flashlight Pro", "short_url": "https://gum.co/flash"}]
    secrets.set("provider:gumroad", state.token)
    with st.GumroadServer(state) as server:
        manager, svc = pay(TRENDFORGE_GUMROAD_BASE_URL=server.url + "/v2")
        svc.gumroad_start = START
        svc.gumroad_chunk_days = 30
        import services.payments.providers.gumroad as gmod

        original = gmod.GumroadProvider.__init__

        def fixed_today(self: Any, *a: Any, **kw: Any) -> None:
            kw["today"] = TODAY
            original(self, *a, **kw)

        gmod.GumroadProvider.__init__ = fixed_today  # type: ignore[method-assign]
        try:
            yield manager, svc, state
        finally:
            gmod.GumroadProvider.__init__ = original  # type: ignore[method-assign]


def test_gumroad_sync_in_date_chunks_with_page_keys_then_again_adds_nothing(gumroad: Any) -> None:
    _manager, svc, state = gumroad
    state.page_size = 3
    svc.link_product("gumroad", "gprod1", "tpl-flash")
    [rep] = svc.sync("gumroad")
    assert rep.error is None and rep.added == 25
    rows = svc.list_transactions(TxnFilter(provider="gumroad", limit=100))
    assert len(rows) == 25 and {r.template_id for r in rows} == {"tpl-flash"}
    assert all(r.fee == r.amount // 10 and r.currency == "USD" for r in rows)
    sales_calls = [p for p in state.requests if p.startswith("/v2/sales?")]
    assert any("page_key=" in p for p in sales_calls)  # more than one page in a chunk
    assert len({urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)["after"][0] for p in sales_calls}) >= 3
    [again] = svc.sync("gumroad")
    assert (again.added, again.updated) == (0, 0)
    assert svc.count_transactions(TxnFilter(provider="gumroad")) == 25
    [row] = svc.summary("template")
    assert row.gross == sum(500 + i for i in range(25)) and row.fees == sum((500 + i) // 10 for i in range(25))


def test_gumroad_narrows_the_range_on_400_and_stops_on_a_repeated_cursor(gumroad: Any) -> None:
    _manager, svc, state = gumroad
    state.narrow_over_days = 10
    [rep] = svc.sync("gumroad")
    assert rep.added == 25  # every sale, fetched in narrower chunks
    state.narrow_over_days = None
    state.repeat_cursor_after = 0
    state.page_size = 2
    svc.gumroad_chunk_days = 90
    [rep2] = svc.sync("gumroad")  # terminates despite the server repeating its page key
    assert rep2.error is None and rep2.added == 0
    assert svc.count_transactions(TxnFilter(provider="gumroad")) == 25


def test_gumroad_refund_partial_and_already_refunded(gumroad: Any) -> None:
    _manager, svc, state = gumroad
    svc.sync("gumroad")
    t = next(x for x in svc.list_transactions(TxnFilter(provider="gumroad")) if x.provider_id == "gsale00003")
    r = svc.refund(t.id, "1.00")
    assert r.remote and r.transaction.status is TxnStatus.PARTIALLY_REFUNDED and r.transaction.refunded_amount == 100
    assert state.refunds == [("gsale00003", 100)]
    with pytest.raises(UserError, match="only"):
        svc.refund(t.id, "100.00")
    r2 = svc.refund(t.id)
    assert r2.transaction.status is TxnStatus.REFUNDED
    assert state.refunds[-1] == ("gsale00003", t.amount - 100)


def test_gumroad_unknown_currency_fails_loudly(gumroad: Any) -> None:
    _manager, svc, state = gumroad
    state.sales.append(st.make_sale(99, START, currency_symbol="¤"))
    with pytest.raises(ProviderError, match="unknown currency"):
        svc.sync("gumroad")


def test_a_gumroad_sale_whose_price_is_text_is_refused_in_one_line_naming_it(gumroad: Any) -> None:
    _manager, svc, state = gumroad
    state.sales.append(st.make_sale(99, START, price=500) | {"price": "5.00"})
    with pytest.raises(ProviderError, match=r"^gumroad sale 'gsale00099': price must be an integer, not a string$"):
        svc.sync("gumroad")


@pytest.fixture
def itch(pay: Any, secrets: Any) -> Any:
    state = st.ItchState()
    state.games = [
        {"id": 11, "title": "Neon Run", "url": "https://me.itch.io/neon", "min_price": 300, "published": True,
         "downloads_count": 90, "purchases_count": 12, "views_count": 1000,
         "earnings": [{"currency": "USD", "amount": 3600, "amount_formatted": "$36.00"}]},
        {"id": 12, "title": "Free Thing", "url": "https://me.itch.io/free", "min_price": 0, "published": True,
         "downloads_count": 5, "purchases_count": 0, "views_count": 50, "earnings": []},
    ]
    state.purchases = {"11": [
        {"id": 500 + i, "game_id": 11, "email": f"p{i}@example.com", "created_at": f"2026-09-{i + 1:02d} 10:00:00",
         "price": 300, "currency": "USD", "donation": i == 0, "sale_rate": 0, "source": "itchio"}
        for i in range(12)]}
    secrets.set("provider:itch", state.key)
    with st.ItchServer(state) as server:
        manager, svc = pay(TRENDFORGE_ITCH_BASE_URL=server.url + "/api/1")
        yield manager, svc, state


def test_itch_sync_games_and_purchases_then_refund_is_recorded_locally(itch: Any) -> None:
    _manager, svc, state = itch
    [rep] = svc.sync("itch")
    assert rep.added == 12
    assert all("itch-key" not in p for p in state.requests)  # the key travels in a header, not the URL
    products = {p["product_id"]: p for p in svc.products() if p["provider"] == "itch"}
    assert set(products) == {"11", "12"} and products["11"]["name"] == "Neon Run"
    [again] = svc.sync("itch")
    assert again.added == 0
    t = svc.list_transactions(TxnFilter(provider="itch", limit=1))[0]
    r = svc.refund(t.id)
    assert not r.remote and "itch.io" in r.message
    assert r.transaction.status is TxnStatus.REFUNDED
    assert svc.refunds_of(t.id)[0]["status"] == "recorded"


def test_itch_unexpected_shape_fails_loudly(itch: Any) -> None:
    _manager, svc, state = itch
    state.purchases["11"] = [{"id": 1, "game_id": 11}]  # no price / created_at
    with pytest.raises(ProviderError, match=r"^itch.io purchase 1: price is missing$"):
        svc.sync("itch")


def test_an_itch_purchase_whose_created_at_is_a_number_is_refused_in_one_line_naming_it(itch: Any) -> None:
    _manager, svc, state = itch
    state.purchases["11"][3]["created_at"] = 1790000000
    with pytest.raises(ProviderError, match=r"^itch.io purchase 503: created_at must be a string, not a number$"):
        svc.sync("itch")


# -- Ko-fi --------------------------------------------------------------------------------------

TOKEN = "kofi-verify-123"


def kofi_payload(n: int, **extra: Any) -> dict[str, Any]:
    p = {"verification_token": TOKEN, "message_id": f"msg-{n}", "timestamp": "2026-11-02T10:00:00Z",
         "type": "Donation", "is_public": True, "from_name": "Ann", "message": "thanks", "amount": "3.00",
         "currency": "USD", "url": "https://ko-fi.com/Home/CoffeeShop?txid=x", "email": "ann@example.com",
         "is_subscription_payment": False, "is_first_subscription_payment": False,
         "kofi_transaction_id": f"tx-{n}", "shop_items": None, "tier_name": None}
    p.update(extra)
    return p


def form_body(payload: dict[str, Any]) -> str:
    return "data=" + urllib.parse.quote(json.dumps(payload))


@pytest.fixture
def kofi(pay: Any, secrets: Any) -> Any:
    secrets.set("provider:kofi", TOKEN)
    return pay()


def test_kofi_import_form_bodies_dedupes_and_rejects_bad_tokens(kofi: Any, tmp_path: Path) -> None:
    _manager, svc = kofi
    f = tmp_path / "hooks.txt"
    bodies = [form_body(kofi_payload(1)), form_body(kofi_payload(1)),  # Ko-fi resent the same message
              form_body(kofi_payload(2, amount="12.50", currency="EUR", type="Shop Order",
                                     shop_items=[{"direct_link_code": "abc", "variation_name": "", "quantity": 1}])),
              form_body(kofi_payload(3, verification_token="wrong"))]
    f.write_text("\n".join(bodies))
    rep = svc.import_file("kofi", f)
    assert (rep.added, rep.duplicates, rep.rejected) == (2, 1, 1)
    assert "verification token" in rep.errors[0]
    again = svc.import_file("kofi", f)
    assert again.added == 0
    rows = {t.provider_id: t for t in svc.list_transactions(TxnFilter(provider="kofi"))}
    assert set(rows) == {"tx-1", "tx-2"}
    assert rows["tx-2"].amount == 1250 and rows["tx-2"].currency == "EUR"
    # JSON list form, overlapping with what is already in
    j = tmp_path / "hooks.json"
    j.write_text(json.dumps([kofi_payload(2), kofi_payload(4)]))
    assert svc.import_file("kofi", j).added == 1


def test_kofi_csv_export_and_bad_file(kofi: Any, tmp_path: Path) -> None:
    _manager, svc = kofi
    csv_file = tmp_path / "kofi.csv"
    csv_file.write_text("DateTime (UTC),From,Message,Item,Received,Currency,TransactionType,TransactionId\n"
                        "2026-10-01 12:00:00,Ann,hi,,5.00,USD,Donation,tx-100\n"
                        "2026-10-02 12:00:00,Bob,,Poster,20.00,GBP,Shop Order,tx-101\n")
    rep = svc.import_file("kofi", csv_file)
    assert rep.added == 2
    assert svc.import_file("kofi", csv_file).added == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\nx,1\n")
    with pytest.raises(UserError, match="no column"):
        svc.import_file("kofi", bad)
    assert svc.count_transactions(TxnFilter(provider="kofi")) == 2
    t = svc.list_transactions(TxnFilter(provider="kofi", currency="GBP"))[0]
    r = svc.refund(t.id, "5.00")
    assert not r.remote and "Ko-fi" in r.message and r.transaction.refunded_amount == 500


def test_a_kofi_payload_whose_shop_items_are_not_a_list_is_rejected_in_one_line_naming_it(
        kofi: Any, tmp_path: Path) -> None:
    _manager, svc = kofi
    f = tmp_path / "hook.json"
    f.write_text(json.dumps(kofi_payload(5, type="Shop Order", shop_items="abc")))
    rep = svc.import_file("kofi", f)
    assert (rep.added, rep.rejected) == (0, 1)
    assert rep.errors == ("payload 1: Ko-fi payload 'msg-5': shop_items must be a list, not a string",)


def test_kofi_loopback_listener(kofi: Any) -> None:
    _manager, svc = kofi
    listener = svc.start_kofi_listener()
    try:
        assert listener.url.startswith("http://127.0.0.1:")

        def post(body: str) -> int:
            req = urllib.request.Request(listener.url, data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    return int(resp.status)
            except urllib.error.HTTPError as err:
                return int(err.code)

        assert post(form_body(kofi_payload(7))) == 200
        assert post(form_body(kofi_payload(7))) == 200  # the retry is acknowledged, not stored twice
        assert post(form_body(kofi_payload(8, verification_token="nope"))) == 403
        assert post("garbage") == 400
    finally:
        listener.stop()
    assert [t.provider_id for t in svc.list_transactions(TxnFilter(provider=Provider.KOFI.value))] == ["tx-7"]


def test_kofi_import_needs_the_token(pay: Any, tmp_path: Path) -> None:
    _manager, svc = pay()
    f = tmp_path / "one.json"
    f.write_text(json.dumps(kofi_payload(1)))
    with pytest.raises(UserError, match="verification token") as refused:
        svc.import_file("kofi", f)
    assert refused.value.remedy == SetCredential("kofi")


def test_a_gumroad_import_whose_sales_are_not_objects_is_refused_in_one_line(pay: Any) -> None:
    _manager, svc = pay()
    with pytest.raises(UserError, match=r"^each of the Gumroad file's sales must be an object, not a string$"):
        svc.import_text("gumroad", json.dumps({"sales": ["sale-1"]}))


def test_gumroad_sync_through_faults_is_exact(pay: Any, secrets: Any) -> None:
    state = st.GumroadState()
    state.page_size = 4
    state.sales = [st.make_sale(i, START + timedelta(days=i), price=300 + i) for i in range(20)]
    secrets.set("provider:gumroad", state.token)
    with st.GumroadServer(state) as server, st.FaultProxy(server.url) as proxy:
        proxy.rule = lambda m, p, n: {2: "429", 4: "500", 6: "drop_after"}.get(n)
        _manager, svc = pay(TRENDFORGE_GUMROAD_BASE_URL=proxy.url + "/v2")
        svc.retry_max = 1.0
        svc.gumroad_start = START
        import services.payments.providers.gumroad as gmod

        original = gmod.GumroadProvider.__init__

        def fixed_today(self: Any, *a: Any, **kw: Any) -> None:
            kw["today"] = START + timedelta(days=25)
            original(self, *a, **kw)

        gmod.GumroadProvider.__init__ = fixed_today  # type: ignore[method-assign]
        try:
            [rep] = svc.sync("gumroad")
            [again] = svc.sync("gumroad")
        finally:
            gmod.GumroadProvider.__init__ = original  # type: ignore[method-assign]
    assert {a for _m, _p, a in proxy.log} >= {"429", "500", "drop_after"}
    assert rep.added == 20 and again.added == 0
    rows = svc.list_transactions(TxnFilter(provider="gumroad", limit=100))
    assert sorted(r.provider_id for r in rows) == sorted(s["id"] for s in state.sales)


def test_a_link_made_after_a_sync_reaches_the_sales_already_synced(gumroad: Any) -> None:
    _manager, svc, _state = gumroad
    [rep] = svc.sync("gumroad")
    assert rep.added == 25
    assert {r.template_id for r in svc.list_transactions(TxnFilter(provider="gumroad", limit=100))} == {None}
    assert svc.link_product("gumroad", "gprod1", "tpl-late") == 25
    rows = svc.list_transactions(TxnFilter(provider="gumroad", limit=100))
    assert {r.template_id for r in rows} == {"tpl-late"}
    # the rollup the summaries read moved with them, and agrees with a direct count
    by_template = {row.key: row.gross for row in svc.summary("template")}
    assert by_template == {"tpl-late": sum(r.amount for r in rows)}
