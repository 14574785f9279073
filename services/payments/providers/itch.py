"""itch.io server-side API (``/api/1``, key sent as a Bearer header, never in the URL).

``my-games`` gives games with their earnings; ``game/{id}/purchases`` gives purchases.
The purchases field list is not documented precisely: a different shape fails loudly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from app.errors import ProviderError
from app.payments.model import Provider, TxnStatus
from app.payments.money import normalize_currency, to_minor
from app.timeutil import parse_iso
from services.payments.http import request_json
from services.payments.providers.base import CursorState, RemoteProduct, RemoteTxn, SyncBatch

Retry = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]
NAME = "itch"
MAX_PAGES = 1000


def purchase_to_txn(p: dict[str, Any], game: dict[str, Any]) -> RemoteTxn:
    try:
        pid = str(p["id"])
        currency = normalize_currency(str(p.get("currency") or "USD"))
        raw_price = p["price"]
        amount = raw_price if isinstance(raw_price, int) else to_minor(str(raw_price).lstrip("$€£"), currency)
        created = parse_iso(str(p["created_at"]).replace(" UTC", "Z"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"itch.io purchase has an unexpected shape ({exc!r}): keys {sorted(p)[:12]}",
                            provider=NAME) from exc
    game_id = str(p.get("game_id") or game.get("id"))
    return RemoteTxn(
        provider=Provider.ITCH, provider_id=pid, status=TxnStatus.SUCCEEDED, amount=int(amount), currency=currency,
        created_at=created, kind="donation" if p.get("donation") else "purchase", product_id=game_id,
        description=str(game.get("title") or ""),
        meta={k: p[k] for k in ("sale_rate", "source") if p.get(k) is not None},
    )


class ItchProvider:
    name = Provider.ITCH

    def __init__(self, key: str, base_url: str, http: httpx.AsyncClient, *, retry: Retry) -> None:
        self._key = key
        self.base = base_url.rstrip("/")
        self.http = http
        self._retry = retry

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        async def call() -> Any:
            return await request_json(self.http, "GET", f"{self.base}/key/{path}", NAME, params=params,
                                      headers={"Authorization": f"Bearer {self._key}"})

        data = await self._retry(call)
        if not isinstance(data, dict):
            raise ProviderError(f"itch.io answered with an unexpected shape: {str(data)[:120]}", provider=NAME)
        if data.get("errors"):
            raise ProviderError(f"itch.io: {'; '.join(str(e) for e in data['errors'])}", provider=NAME)
        return data

    async def my_games(self) -> list[dict[str, Any]]:
        data = await self._get("my-games")
        games = data.get("games")
        if not isinstance(games, list):
            raise ProviderError("itch.io my-games answered without a games list", provider=NAME)
        return games

    async def check(self) -> str:
        """One cheap authenticated read: does itch.io accept this key?"""
        games = await self.my_games()
        return f"itch.io accepted the key ({len(games)} game{'' if len(games) == 1 else 's'})"

    async def sync(self, cursors: dict[str, CursorState]) -> AsyncIterator[SyncBatch]:
        games = await self.my_games()
        batch = SyncBatch(resource="games")
        for g in games:
            batch.products.append(RemoteProduct(
                Provider.ITCH, str(g.get("id")), str(g.get("title") or ""),
                amount=g.get("min_price") if isinstance(g.get("min_price"), int) else None,
                meta={"url": g.get("url"), "earnings": g.get("earnings") or [],
                      "purchases_count": g.get("purchases_count"), "downloads_count": g.get("downloads_count")}))
        yield batch
        for g in games:
            seen: set[str] = set()
            for page in range(1, MAX_PAGES + 1):
                data = await self._get(f"game/{g.get('id')}/purchases", {"page": page})
                purchases = data.get("purchases")
                if not isinstance(purchases, list):
                    raise ProviderError("itch.io purchases answered without a purchases list", provider=NAME)
                fresh = [p for p in purchases if str(p.get("id")) not in seen]
                if not fresh:
                    break
                seen.update(str(p.get("id")) for p in fresh)
                yield SyncBatch(resource=f"purchases:{g.get('id')}", txns=[purchase_to_txn(p, g) for p in fresh])
                per_page = data.get("per_page")
                if isinstance(per_page, int) and len(purchases) < per_page:
                    break
