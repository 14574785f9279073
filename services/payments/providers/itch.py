"""itch.io server-side API (``/api/1``, key sent as a Bearer header, never in the URL).

``my-games`` gives games with their earnings; ``game/{id}/purchases`` gives purchases.
The purchases field list is not documented precisely: a different shape fails loudly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypedDict

import httpx

from app.errors import ProviderError
from app.jsonvalue import (
    JsonObject,
    JsonValue,
    as_int,
    as_object,
    as_str,
    need,
    opt_array,
    opt_bool,
    opt_int,
    opt_str,
)
from app.payments.model import Provider, TxnStatus
from app.payments.money import normalize_currency, to_minor
from app.timeutil import parse_iso
from services.payments.http import request_json
from services.payments.providers.base import CursorState, RemoteProduct, RemoteTxn, Retry, SyncBatch, answer_shape

NAME = "itch"
MAX_PAGES = 1000


class ItchGame(TypedDict):
    """The fields of a game in ``GET my-games`` the sync reads."""

    id: str  # a number on the wire
    title: str
    url: str | None
    min_price: int | None  # cents
    purchases_count: int | None
    downloads_count: int | None
    earnings: list[JsonValue]  # [{currency, amount (cents), amount_formatted}], kept as given


class ItchPurchase(TypedDict):
    """The fields of a purchase in ``GET game/{id}/purchases`` (the list is not documented precisely)."""

    id: str  # a number on the wire
    game_id: str | None
    created_at: str
    price: int | str  # cents, or a formatted price ("$3.00")
    currency: str | None
    donation: bool


def _ident(obj: JsonObject, key: str, what: str) -> str:
    """An id itch.io sends as a number (a string is taken as it is)."""
    value = need(obj, key, what)
    return as_str(value, what) if isinstance(value, str) else str(as_int(value, what))


def read_game(obj: JsonObject) -> ItchGame:
    with answer_shape(Provider.ITCH, "itch.io my-games"):
        return ItchGame(id=_ident(obj, "id", "a game's id"), title=opt_str(obj, "title") or "", url=opt_str(obj, "url"),
                        min_price=opt_int(obj, "min_price"), purchases_count=opt_int(obj, "purchases_count"),
                        downloads_count=opt_int(obj, "downloads_count"), earnings=opt_array(obj, "earnings") or [])


def read_purchase(obj: JsonObject) -> ItchPurchase:
    pid = obj.get("id")
    with answer_shape(Provider.ITCH, "itch.io purchase" if pid is None else f"itch.io purchase {pid!r}"):
        price = need(obj, "price")
        return ItchPurchase(
            id=_ident(obj, "id", "id"), game_id=_ident(obj, "game_id", "game_id") if obj.get("game_id") else None,
            created_at=as_str(need(obj, "created_at"), "created_at"),
            price=price if isinstance(price, str) else as_int(price, "price"),
            currency=opt_str(obj, "currency"), donation=opt_bool(obj, "donation"))


def purchase_to_txn(obj: JsonObject, game: ItchGame) -> RemoteTxn:
    p = read_purchase(obj)
    try:
        currency = normalize_currency(p["currency"] or "USD")
        price = p["price"]
        amount = price if isinstance(price, int) else to_minor(price.lstrip("$€£"), currency)
        created = parse_iso(p["created_at"].replace(" UTC", "Z"))
    except ValueError as exc:
        raise ProviderError(f"itch.io purchase {p['id']!r}: {exc}", provider=NAME) from exc
    return RemoteTxn(
        provider=Provider.ITCH, provider_id=p["id"], status=TxnStatus.SUCCEEDED, amount=amount, currency=currency,
        created_at=created, kind="donation" if p["donation"] else "purchase", product_id=p["game_id"] or game["id"],
        description=game["title"],
        meta={k: v for k in ("sale_rate", "source") if (v := obj.get(k)) is not None},
    )


class ItchProvider:
    name = Provider.ITCH

    def __init__(self, key: str, base_url: str, http: httpx.AsyncClient, *, retry: Retry) -> None:
        self._key = key
        self.base = base_url.rstrip("/")
        self.http = http
        self._retry = retry

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> JsonObject:
        async def call() -> JsonValue:
            return await request_json(self.http, "GET", f"{self.base}/key/{path}", NAME, params=params,
                                      headers={"Authorization": f"Bearer {self._key}"})

        data = await self._retry(call)
        if not isinstance(data, dict):
            raise ProviderError(f"itch.io answered with an unexpected shape: {str(data)[:120]}", provider=NAME)
        errors = data.get("errors")
        if errors:
            listed = errors if isinstance(errors, list) else [errors]
            raise ProviderError(f"itch.io: {'; '.join(str(e) for e in listed)}", provider=NAME)
        return data

    async def my_games(self) -> list[ItchGame]:
        data = await self._get("my-games")
        games = data.get("games")
        if not isinstance(games, list):
            raise ProviderError("itch.io my-games answered without a games list", provider=NAME)
        with answer_shape(Provider.ITCH, "itch.io my-games"):
            return [read_game(as_object(g, "each game")) for g in games]

    async def check(self) -> str:
        """One cheap authenticated read: does itch.io accept this key?"""
        games = await self.my_games()
        return f"itch.io accepted the key ({len(games)} game{'' if len(games) == 1 else 's'})"

    async def sync(self, cursors: dict[str, CursorState]) -> AsyncIterator[SyncBatch]:
        games = await self.my_games()
        batch = SyncBatch(resource="games")
        for g in games:
            batch.products.append(RemoteProduct(
                Provider.ITCH, g["id"], g["title"], amount=g["min_price"],
                meta={"url": g["url"], "earnings": g["earnings"], "purchases_count": g["purchases_count"],
                      "downloads_count": g["downloads_count"]}))
        yield batch
        for g in games:
            seen: set[str] = set()
            for page in range(1, MAX_PAGES + 1):
                data = await self._get(f"game/{g['id']}/purchases", {"page": page})
                purchases = data.get("purchases")
                if not isinstance(purchases, list):
                    raise ProviderError("itch.io purchases answered without a purchases list", provider=NAME)
                with answer_shape(Provider.ITCH, f"itch.io game {g['id']} purchases"):
                    objs = [as_object(p, "each purchase") for p in purchases]
                    per_page = opt_int(data, "per_page")
                fresh = [p for p in objs if str(p.get("id")) not in seen]
                if not fresh:
                    break
                seen.update(str(p.get("id")) for p in fresh)
                yield SyncBatch(resource=f"purchases:{g['id']}", txns=[purchase_to_txn(p, g) for p in fresh])
                if per_page is not None and len(purchases) < per_page:
                    break
