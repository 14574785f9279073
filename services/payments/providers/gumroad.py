"""Gumroad (``/v2``, Bearer token): sales sync with ``page_key`` in date chunks; refunds.

A sales query can time out with HTTP 400 asking to narrow the date range, and a
``next_page_key`` can repeat: each chunk is split in half on such a 400 and paging stops
on a repeated cursor. The cursor saved after each finished chunk is its start date minus
an overlap, so an interrupted sync resumes there; upserts make overlaps harmless.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict

import httpx

from app.errors import ProviderError
from app.jsonvalue import (
    JsonObject,
    JsonValue,
    as_object,
    need_int,
    need_str,
    opt_array,
    opt_bool,
    opt_int,
    opt_object,
    opt_str,
)
from app.payments.model import Provider, TxnStatus
from app.payments.money import SYMBOLS, normalize_currency
from app.timeutil import parse_iso
from services.payments.http import request_json
from services.payments.providers.base import (
    CursorState,
    RefundOutcome,
    RefundRequest,
    RemoteProduct,
    RemoteTxn,
    Retry,
    SyncBatch,
    answer_shape,
)

NAME = "gumroad"


class GumroadSale(TypedDict):
    """The fields of a Gumroad sale (``GET /v2/sales``, ``/v2/sales/{id}``) the ledger reads; ``None``: absent or null."""

    id: str
    created_at: str
    price: int  # cents
    gumroad_fee: int | None
    currency: str | None  # not documented; some answers carry an ISO code beside the symbol
    currency_symbol: str | None
    product_id: str | None
    product_name: str | None
    refunded: bool
    partially_refunded: bool
    chargedback: bool
    amount_refunded_cents: int | None  # not documented; either spelling is read


def read_sale(obj: JsonObject) -> GumroadSale:
    """``obj`` as a sale: a documented field missing or of another type is one line naming it."""
    sale_id = obj.get("id")
    with answer_shape(Provider.GUMROAD, "gumroad sale" if sale_id is None else f"gumroad sale {sale_id!r}"):
        refunded = opt_int(obj, "amount_refunded_cents")
        return GumroadSale(
            id=need_str(obj, "id"), created_at=need_str(obj, "created_at"), price=need_int(obj, "price"),
            gumroad_fee=opt_int(obj, "gumroad_fee"), currency=opt_str(obj, "currency"),
            currency_symbol=opt_str(obj, "currency_symbol"), product_id=opt_str(obj, "product_id"),
            product_name=opt_str(obj, "product_name"), refunded=opt_bool(obj, "refunded"),
            partially_refunded=opt_bool(obj, "partially_refunded"), chargedback=opt_bool(obj, "chargedback"),
            amount_refunded_cents=refunded if refunded is not None else opt_int(obj, "refunded_amount_cents"),
        )


def _currency(sale: GumroadSale) -> str:
    code = sale["currency"]
    if code is not None and len(code.strip()) == 3:
        return normalize_currency(code)
    symbol = (sale["currency_symbol"] or "").strip()
    if symbol in SYMBOLS:
        return SYMBOLS[symbol]
    raise ProviderError(f"gumroad sale {sale['id']!r} has an unknown currency ({symbol!r}); nothing was guessed",
                        provider=NAME)


def sale_to_txn(obj: JsonObject) -> RemoteTxn:
    sale = read_sale(obj)
    try:
        created = parse_iso(sale["created_at"])
    except ValueError as exc:
        raise ProviderError(f"gumroad sale {sale['id']!r}: created_at is not a date ({exc})", provider=NAME) from exc
    price = sale["price"]
    refunded: int | None = None
    status = TxnStatus.SUCCEEDED
    if sale["refunded"] or sale["chargedback"]:
        refunded = price
        status = TxnStatus.REFUNDED
    elif sale["partially_refunded"]:
        refunded = sale["amount_refunded_cents"]
        status = TxnStatus.PARTIALLY_REFUNDED
    return RemoteTxn(
        provider=Provider.GUMROAD, provider_id=sale["id"], status=status, amount=price, currency=_currency(sale),
        created_at=created, kind="sale", fee=sale["gumroad_fee"] or 0, refunded_amount=refunded,
        product_id=sale["product_id"] or None, description=sale["product_name"] or "",
        meta={k: v for k in ("order_id", "product_permalink", "chargedback") if (v := obj.get(k)) is not None},
    )


def _products(data: JsonObject) -> list[RemoteProduct]:
    out = []
    with answer_shape(Provider.GUMROAD, "gumroad /products"):
        for item in opt_array(data, "products") or []:
            p = as_object(item, "each product")
            out.append(RemoteProduct(Provider.GUMROAD, need_str(p, "id", "a product's id"), opt_str(p, "name") or "",
                                     meta={"permalink": opt_str(p, "custom_permalink") or opt_str(p, "short_url")}))
    return out


class GumroadProvider:
    name = Provider.GUMROAD

    def __init__(self, token: str, base_url: str, http: httpx.AsyncClient, *, retry: Retry,
                 start: date | None = None, chunk_days: int = 30, today: date | None = None) -> None:
        self._token = token
        self.base = base_url.rstrip("/")
        self.http = http
        self._retry = retry
        self.start = start or (datetime.now(UTC).date() - timedelta(days=730))
        self.chunk_days = max(1, chunk_days)
        self.today = today or datetime.now(UTC).date()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def _get(self, path: str, params: dict[str, str] | None = None) -> JsonObject:
        async def call() -> JsonObject:
            data = await request_json(self.http, "GET", f"{self.base}{path}", NAME, params=params,
                                      headers=self._headers())
            return self._envelope(data)

        return await self._retry(call)

    @staticmethod
    def _envelope(data: JsonValue) -> JsonObject:
        if not isinstance(data, dict) or "success" not in data:
            raise ProviderError(f"gumroad answered without its success envelope: {str(data)[:120]}", provider=NAME)
        if not data["success"]:
            raise ProviderError(f"gumroad: {data.get('message') or 'request failed'}", provider=NAME)
        return data

    async def check(self) -> str:
        """One cheap authenticated read: does Gumroad accept this token?"""
        products = _products(await self._get("/products"))
        return f"Gumroad accepted the token ({len(products)} product{'' if len(products) == 1 else 's'})"

    # -- sync -----------------------------------------------------------------------------
    async def sync(self, cursors: dict[str, CursorState]) -> AsyncIterator[SyncBatch]:
        yield SyncBatch(resource="products", products=_products(await self._get("/products")))
        state = cursors.get("sales", CursorState())
        start = date.fromisoformat(state.cursor) if state.cursor else self.start
        cur = start
        while cur <= self.today:
            end = min(cur + timedelta(days=self.chunk_days - 1), self.today)
            async for sales_batch in self._chunk(cur, end):
                yield sales_batch
            done = SyncBatch(resource="sales", cursor=max(start, end - timedelta(days=1)).isoformat())
            yield done
            cur = end + timedelta(days=1)

    async def _chunk(self, after: date, before: date) -> AsyncIterator[SyncBatch]:
        params: dict[str, str] = {"after": after.isoformat(), "before": before.isoformat()}
        seen: set[str] = set()
        while True:
            try:
                data = await self._get("/sales", params)
            except ProviderError as exc:
                if exc.status_code == 400 and before > after and "page_key" not in params:
                    mid = after + (before - after) // 2
                    async for b in self._chunk(after, mid):
                        yield b
                    async for b in self._chunk(mid + timedelta(days=1), before):
                        yield b
                    return
                raise
            sales = data.get("sales")
            if not isinstance(sales, list):
                raise ProviderError("gumroad /sales answered without a sales list", provider=NAME)
            with answer_shape(Provider.GUMROAD, "gumroad /sales"):
                objs = [as_object(s, "each sale") for s in sales]
                key = opt_str(data, "next_page_key")
            yield SyncBatch(resource="sales", txns=[sale_to_txn(s) for s in objs])
            if not key or key in seen:
                return
            seen.add(key)
            params = {**params, "page_key": key}

    # -- refunds ---------------------------------------------------------------------------
    async def refund(self, req: RefundRequest) -> RefundOutcome:
        form = {} if req.full else {"amount_cents": str(req.amount)}

        async def call() -> JsonValue:
            return await request_json(self.http, "PUT", f"{self.base}/sales/{req.provider_id}/refund", NAME,
                                      data=form, headers=self._headers())

        data = await self._retry(call)
        if isinstance(data, dict) and not data.get("success", False):
            message = str(data.get("message") or "refund refused")
            raise ProviderError(f"gumroad: {message}", provider=NAME)
        return RefundOutcome(provider_refund_id=f"{req.provider_id}:refund:{req.local_refund_id}",
                             amount=req.amount, status="succeeded")

    async def find_refund(self, req: RefundRequest) -> RefundOutcome | None:
        data = await self._get(f"/sales/{req.provider_id}")
        with answer_shape(Provider.GUMROAD, f"gumroad sale {req.provider_id!r}"):
            sale = opt_object(data, "sale") or {}
            refunded, partially = opt_bool(sale, "refunded"), opt_bool(sale, "partially_refunded")
        if refunded or (not req.full and partially):
            return RefundOutcome(provider_refund_id=f"{req.provider_id}:refund:{req.local_refund_id}",
                                 amount=req.amount, status="succeeded")
        return None
