"""Gumroad (``/v2``, Bearer token): sales sync with ``page_key`` in date chunks; refunds.

A sales query can time out with HTTP 400 asking to narrow the date range, and a
``next_page_key`` can repeat: each chunk is split in half on such a 400 and paging stops
on a repeated cursor. The cursor saved after each finished chunk is its start date minus
an overlap, so an interrupted sync resumes there; upserts make overlaps harmless.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from app.errors import ProviderError
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
    SyncBatch,
)

Retry = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]
NAME = "gumroad"


def _currency(sale: dict[str, Any]) -> str:
    code = sale.get("currency")
    if isinstance(code, str) and len(code.strip()) == 3:
        return normalize_currency(code)
    symbol = str(sale.get("currency_symbol") or "").strip()
    if symbol in SYMBOLS:
        return SYMBOLS[symbol]
    raise ProviderError(f"gumroad sale {sale.get('id')!r} has an unknown currency ({symbol!r}); nothing was guessed",
                        provider=NAME)


def sale_to_txn(sale: dict[str, Any]) -> RemoteTxn:
    try:
        sale_id = str(sale["id"])
        price = int(sale["price"])
        created = parse_iso(str(sale["created_at"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"gumroad sale has an unexpected shape ({exc!r}): keys {sorted(sale)[:12]}",
                            provider=NAME) from exc
    refunded: int | None = None
    status = TxnStatus.SUCCEEDED
    if sale.get("refunded") or sale.get("chargedback"):
        refunded = price
        status = TxnStatus.REFUNDED
    elif sale.get("partially_refunded"):
        cents = sale.get("amount_refunded_cents") or sale.get("refunded_amount_cents")
        refunded = int(cents) if isinstance(cents, int) else None
        status = TxnStatus.PARTIALLY_REFUNDED
    return RemoteTxn(
        provider=Provider.GUMROAD, provider_id=sale_id, status=status, amount=price, currency=_currency(sale),
        created_at=created, kind="sale", fee=int(sale.get("gumroad_fee") or 0), refunded_amount=refunded,
        product_id=str(sale["product_id"]) if sale.get("product_id") else None,
        description=str(sale.get("product_name") or ""),
        meta={k: sale[k] for k in ("order_id", "product_permalink", "chargedback") if sale.get(k) is not None},
    )


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

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        async def call() -> dict[str, Any]:
            data = await request_json(self.http, "GET", f"{self.base}{path}", NAME, params=params,
                                      headers=self._headers())
            return self._envelope(data)

        result: dict[str, Any] = await self._retry(call)
        return result

    @staticmethod
    def _envelope(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or "success" not in data:
            raise ProviderError(f"gumroad answered without its success envelope: {str(data)[:120]}", provider=NAME)
        if not data["success"]:
            raise ProviderError(f"gumroad: {data.get('message') or 'request failed'}", provider=NAME)
        return data

    async def check(self) -> str:
        """One cheap authenticated read: does Gumroad accept this token?"""
        products = (await self._get("/products")).get("products") or []
        return f"Gumroad accepted the token ({len(products)} product{'' if len(products) == 1 else 's'})"

    # -- sync -----------------------------------------------------------------------------
    async def sync(self, cursors: dict[str, CursorState]) -> AsyncIterator[SyncBatch]:
        products = await self._get("/products")
        batch = SyncBatch(resource="products")
        for p in products.get("products", []) or []:
            batch.products.append(RemoteProduct(Provider.GUMROAD, str(p.get("id")), str(p.get("name") or ""),
                                                meta={"permalink": p.get("custom_permalink") or p.get("short_url")}))
        yield batch
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
        params: dict[str, Any] = {"after": after.isoformat(), "before": before.isoformat()}
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
            yield SyncBatch(resource="sales", txns=[sale_to_txn(s) for s in sales])
            key = data.get("next_page_key")
            if not key or key in seen:
                return
            seen.add(str(key))
            params = {**params, "page_key": key}

    # -- refunds ---------------------------------------------------------------------------
    async def refund(self, req: RefundRequest) -> RefundOutcome:
        form = {} if req.full else {"amount_cents": str(req.amount)}

        async def call() -> Any:
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
        sale = data.get("sale") or {}
        if sale.get("refunded") or (not req.full and sale.get("partially_refunded")):
            return RefundOutcome(provider_refund_id=f"{req.provider_id}:refund:{req.local_refund_id}",
                                 amount=req.amount, status="succeeded")
        return None
