"""Stripe through the official ``stripe`` package: ``StripeClient`` + ``client.v1.*``, async.

The SDK's HTTPX client is given the app's long-lived ``httpx.AsyncClient`` (one per loop),
and the SDK's own retries are off (``max_network_retries=0``): the service retries transient
failures itself, reusing the idempotency key stored with the ledger row before the first
attempt, and reconciles by our id in ``metadata[trendforge_id]`` before re-creating a
payment intent whose outcome is unknown. That reconciliation lists recent payment intents
rather than using the Search API, whose results can lag by up to a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import platform
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from app.currency import from_stripe, to_stripe
from app.errors import ProviderError, UserError
from app.payments.model import Provider, TxnStatus
from app.remedies import SetCredential
from services.payments.providers.base import (
    ChargeOutcome,
    ChargeRequest,
    CursorState,
    DeclinedError,
    RefundOutcome,
    RefundRequest,
    RemoteBalance,
    RemoteChargeUpdate,
    RemoteProduct,
    RemoteRefund,
    RemoteTxn,
    SyncBatch,
)
from services.payments.providers.stripe_sdk import stripe

T = TypeVar("T")
Retry = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]

NAME = "stripe"
LOCAL_ID_KEY = "trendforge_id"
REFUND_ID_KEY = "trendforge_refund_id"
TEMPLATE_KEY = "template_id"
CREATED_OVERLAP = 300  # seconds re-read before the last sync point (clock skew, late writes)
RESOURCES = ("products", "payment_intents", "charges", "refunds", "balance_transactions")


class _SharedHTTPXClient(stripe.HTTPXClient):
    """The SDK's HTTPX client, but on our long-lived ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient, timeout: float) -> None:
        class _Lib:
            AsyncClient = staticmethod(lambda **_kw: client)
            Client = httpx.Client

        super().__init__(timeout=timeout, _lib=_Lib, verify_ssl_certs=False)

    async def close_async(self) -> None:  # the client belongs to the app, not to the SDK
        return None

    def _get_request_args_kwargs(self, method: str, url: str, headers: Any, post_data: Any) -> Any:
        # The SDK hands httpx an encoded form body as ``data=``; httpx wants raw bytes as ``content=``.
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        data = kwargs.pop("data", None)
        if data:
            kwargs["content"] = data
        return [args, kwargs]


def g(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` for StripeObjects and dicts; ``default`` when missing."""
    if obj is None:
        return default
    try:
        value = obj[key]
    except (KeyError, TypeError, AttributeError):
        return default
    return default if value is None else value


def ts(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value or 0), UTC)


def map_error(exc: stripe.StripeError) -> ProviderError:
    status = exc.http_status
    message = exc.user_message or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, stripe.CardError):
        err = exc.error
        code = str(g(err, "decline_code") or exc.code or "card_declined")
        pi = g(err, "payment_intent")
        return DeclinedError(f"card declined: {message}", provider=NAME, code=code, provider_id=g(pi, "id"))
    if isinstance(exc, stripe.APIConnectionError):
        return ProviderError("stripe could not be reached or dropped the connection", provider=NAME,
                             transient=True)
    if isinstance(exc, stripe.RateLimitError) or status == 429:
        from app.retry_after import parse_retry_after

        wait = parse_retry_after((exc.headers or {}).get("Retry-After") or (exc.headers or {}).get("retry-after"))
        return ProviderError("stripe is rate limiting requests (HTTP 429)", provider=NAME, transient=True,
                             retry_after=wait, status_code=429)
    if status is not None and status >= 500:
        return ProviderError(f"stripe had a server error (HTTP {status})", provider=NAME, transient=True,
                             status_code=status)
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        return ProviderError("stripe rejected the API key; store a valid one", provider=NAME, status_code=status,
                             remedy=SetCredential(NAME))
    return ProviderError(f"stripe refused the request (HTTP {status}): {message}", provider=NAME, status_code=status)


def pi_status(pi: Any) -> TxnStatus:
    status = g(pi, "status", "")
    if status == "succeeded":
        return TxnStatus.SUCCEEDED
    if status == "requires_action":
        return TxnStatus.REQUIRES_ACTION
    if status in ("processing", "requires_capture"):
        return TxnStatus.PROCESSING
    if status == "canceled":
        return TxnStatus.CANCELED
    if status == "requires_payment_method" and g(pi, "last_payment_error"):
        return TxnStatus.DECLINED
    return TxnStatus.PENDING


def _charge_id(pi: Any) -> str | None:
    latest = g(pi, "latest_charge")
    if isinstance(latest, str):
        return latest
    value = g(latest, "id")
    return str(value) if value else None


def iso_amount(obj: Any, key: str) -> int:
    """``obj[key]`` (Stripe's units of ``obj["currency"]``) in ISO minor units, as the ledger keeps them."""
    raw = int(g(obj, key, 0) or 0)
    try:
        return from_stripe(raw, str(g(obj, "currency", "")))
    except UserError:  # not an ISO code: nothing to convert against
        return raw


def outcome_of(pi: Any) -> ChargeOutcome:
    status = pi_status(pi)
    err = g(pi, "last_payment_error")
    next_action = g(pi, "next_action")
    return ChargeOutcome(
        provider_id=g(pi, "id"),
        status=status,
        amount=iso_amount(pi, "amount"),
        currency=str(g(pi, "currency", "")).upper(),
        charge_id=_charge_id(pi),
        failure_code=g(err, "decline_code") or g(err, "code"),
        failure_message=g(err, "message"),
        next_action=str(g(next_action, "type")) if next_action else None,
    )


def remote_txn(pi: Any) -> RemoteTxn:
    meta = g(pi, "metadata") or {}
    out = outcome_of(pi)
    return RemoteTxn(
        provider=Provider.STRIPE,
        provider_id=str(g(pi, "id")),
        status=out.status,
        amount=out.amount,
        currency=out.currency,
        created_at=ts(g(pi, "created")),
        template_id=g(meta, TEMPLATE_KEY),
        description=str(g(pi, "description", "")),
        charge_id=out.charge_id,
        local_id=g(meta, LOCAL_ID_KEY),
        failure_code=out.failure_code,
        failure_message=out.failure_message,
    )


LIST_PATHS = {name: f"/v1/{name}" for name in ("payment_intents", "charges", "refunds", "products", "balance_transactions")}


class StripeProvider:
    name = Provider.STRIPE

    def __init__(self, api_key: str, base_url: str, http: httpx.AsyncClient, *, retry: Retry,
                 page_size: int = 100, timeout: float = 20.0) -> None:
        self.client: Any = stripe.StripeClient(
            api_key,
            base_addresses={"api": base_url},
            http_client=_SharedHTTPXClient(http, timeout),
            max_network_retries=0,
        )
        self._retry = retry
        self.page_size = max(1, min(100, page_size))
        _load_sdk_parts(self.client)

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        try:
            return await fn()
        except stripe.StripeError as exc:
            raise map_error(exc) from exc

    async def check(self) -> str:
        """One cheap authenticated read: does Stripe accept this key?"""
        await self._call(lambda: self.client.v1.customers.list_async(params={"limit": 1}))
        return "Stripe accepted the key"

    # -- charges ----------------------------------------------------------------------
    async def charge(self, req: ChargeRequest) -> ChargeOutcome:
        params: dict[str, Any] = {
            "amount": to_stripe(req.amount, req.currency),
            "currency": req.currency.lower(),
            "payment_method": req.payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {LOCAL_ID_KEY: req.local_id, **({TEMPLATE_KEY: req.template_id} if req.template_id else {})},
        }
        if req.description:
            params["description"] = req.description
        pi = await self._call(lambda: self.client.v1.payment_intents.create_async(
            params=params, options={"idempotency_key": req.idempotency_key}))
        return outcome_of(pi)

    async def find_charge(self, local_id: str, since: datetime) -> ChargeOutcome | None:
        """The payment intent carrying ``metadata[trendforge_id] == local_id``, if Stripe has one."""
        state = CursorState(last_created=int(since.timestamp()))
        pages = 0
        async for page, _last, _max in self._pages("payment_intents", state):
            for pi in page:
                if g(g(pi, "metadata"), LOCAL_ID_KEY) == local_id:
                    return outcome_of(pi)
            pages += 1
            if pages >= 20:
                break
        return None

    # -- refunds ----------------------------------------------------------------------
    async def refund(self, req: RefundRequest) -> RefundOutcome:
        params: dict[str, Any] = {"payment_intent": req.provider_id, "metadata": {REFUND_ID_KEY: req.local_refund_id}}
        if not req.full:
            params["amount"] = to_stripe(req.amount, req.currency)
        r = await self._call(lambda: self.client.v1.refunds.create_async(
            params=params, options={"idempotency_key": req.idempotency_key}))
        return RefundOutcome(provider_refund_id=str(g(r, "id")),
                             amount=iso_amount(r, "amount") if g(r, "amount") is not None else req.amount,
                             status=str(g(r, "status", "succeeded")))

    async def find_refund(self, req: RefundRequest) -> RefundOutcome | None:
        params: dict[str, Any] = {"payment_intent": req.provider_id, "limit": 100}
        page = await self._call(lambda: self.client.v1.refunds.list_async(params=params))
        for r in g(page, "data", []):
            if g(g(r, "metadata"), REFUND_ID_KEY) == req.local_refund_id:
                return RefundOutcome(provider_refund_id=str(g(r, "id")), amount=iso_amount(r, "amount"),
                                     status=str(g(r, "status", "succeeded")))
        return None

    # -- products -----------------------------------------------------------------------
    async def create_product(self, template_id: str, name: str, amount: int | None, currency: str | None) -> RemoteProduct:
        params: dict[str, Any] = {"name": name, "metadata": {TEMPLATE_KEY: template_id}}
        product = await self._call(lambda: self.client.v1.products.create_async(params=params))
        price_id = None
        if amount is not None and currency:
            price_params = {"product": g(product, "id"), "unit_amount": to_stripe(amount, currency),
                            "currency": currency.lower()}
            price = await self._call(lambda: self.client.v1.prices.create_async(params=price_params))
            price_id = str(g(price, "id"))
        return RemoteProduct(Provider.STRIPE, str(g(product, "id")), name, template_id, price_id, amount, currency)

    # -- sync -----------------------------------------------------------------------------
    async def _list(self, resource: str, params: dict[str, Any]) -> Any:
        """One page as the JSON the SDK parsed (plain mappings): the sync reads a few fields of each object,
        and turning a page into StripeObjects cost more than fetching it (~250 ms a page of 100 payment
        intents on the loop; on a worker, more thread time than the whole listing)."""
        path = LIST_PATHS.get(resource)
        if path is None:
            raise ValueError(resource)
        try:
            raw = await self.client.raw_request_async("get", path, **params)
        except stripe.InvalidRequestError as exc:
            if resource != "balance_transactions" or exc.http_status != 404:
                raise
            # the endpoint's previous name, which some emulators (localstripe) still serve
            raw = await self.client.raw_request_async("get", "/v1/balance/history", **params)
        return raw.data

    async def _pages(self, resource: str, state: CursorState) -> AsyncIterator[tuple[list[Any], bool, int | None]]:
        """Pages of ``resource`` newer than the last sync point, following ``starting_after``."""
        params: dict[str, Any] = {"limit": self.page_size}
        if state.last_created is not None and resource != "products":
            params["created"] = {"gt": max(0, state.last_created - CREATED_OVERLAP)}
        seen: set[str] = set()
        newest: int | None = None
        while True:
            try:
                page = await self._retry(lambda: self._call_raw(resource, params))
            except _FilterUnsupportedError:
                params.pop("created", None)  # the server cannot filter: list all; upserts make it idempotent
                continue
            data = list(g(page, "data", []))
            for obj in data:
                created = g(obj, "created")
                if created is not None and (newest is None or int(created) > newest):
                    newest = int(created)
            has_more = bool(g(page, "has_more", False)) and bool(data)
            last_id = str(g(data[-1], "id")) if data else ""
            if has_more and last_id in seen:
                has_more = False  # a repeated cursor: stop rather than loop forever
            yield data, not has_more, newest
            if not has_more:
                return
            seen.add(last_id)
            params["starting_after"] = last_id

    async def _call_raw(self, resource: str, params: dict[str, Any]) -> Any:
        try:
            return await self._list(resource, dict(params))
        except stripe.StripeError as exc:
            if "created" in params and "starting_after" not in params and exc.http_status in (400, 500):
                # Stripe filters every list by ``created``; an emulator may reject the filter (400) or fail
                # on it (500, localstripe's refunds and balance history). A full listing is still correct:
                # upserts by provider id make it idempotent, only slower.
                raise _FilterUnsupportedError() from exc
            raise map_error(exc) from exc

    async def sync(self, cursors: dict[str, CursorState]) -> AsyncIterator[SyncBatch]:
        for resource in RESOURCES:
            state = cursors.get(resource, CursorState())
            async for data, last, newest in self._pages(resource, state):
                # a page becomes ledger rows on a worker, not on the loop (the GUI's, under qasync): a page of
                # 100 objects held the GUI thread for up to 66 ms while the window was painting synced rows
                batch = await asyncio.to_thread(self._page_batch, resource, data)
                if last:
                    batch.last_created = newest if newest is not None else state.last_created
                    batch.cursor = "done"
                yield batch

    @classmethod
    def _page_batch(cls, resource: str, data: list[Any]) -> SyncBatch:
        batch = SyncBatch(resource=resource)
        for obj in data:
            cls._convert(resource, obj, batch)
        return batch

    @staticmethod
    def _convert(resource: str, obj: Any, batch: SyncBatch) -> None:
        if resource == "payment_intents":
            batch.txns.append(remote_txn(obj))
        elif resource == "charges":
            pi = g(obj, "payment_intent")
            pi_id = pi if isinstance(pi, str) else g(pi, "id")
            if pi_id:
                batch.charges.append(RemoteChargeUpdate(str(pi_id), str(g(obj, "id")), iso_amount(obj, "amount_refunded"),
                                                        bool(g(obj, "captured", True))))
            else:
                status = TxnStatus.SUCCEEDED if g(obj, "status") == "succeeded" else (
                    TxnStatus.DECLINED if g(obj, "status") == "failed" else TxnStatus.PENDING)
                meta = g(obj, "metadata") or {}
                batch.txns.append(RemoteTxn(
                    provider=Provider.STRIPE, provider_id=str(g(obj, "id")), status=status,
                    amount=iso_amount(obj, "amount"), currency=str(g(obj, "currency", "")).upper(),
                    created_at=ts(g(obj, "created")), refunded_amount=iso_amount(obj, "amount_refunded"),
                    template_id=g(meta, TEMPLATE_KEY), charge_id=str(g(obj, "id")), local_id=g(meta, LOCAL_ID_KEY),
                    failure_code=g(obj, "failure_code"), failure_message=g(obj, "failure_message"),
                    description=str(g(obj, "description", ""))))
        elif resource == "refunds":
            pi = g(obj, "payment_intent")
            ref = pi if isinstance(pi, str) else g(pi, "id")
            charge = g(obj, "charge")
            ref = ref or (charge if isinstance(charge, str) else g(charge, "id"))
            batch.refunds.append(RemoteRefund(
                provider=Provider.STRIPE, provider_refund_id=str(g(obj, "id")), amount=iso_amount(obj, "amount"),
                currency=str(g(obj, "currency", "")).upper(), status=str(g(obj, "status", "succeeded")),
                created_at=ts(g(obj, "created")), payment_ref=str(ref or ""),
                local_id=g(g(obj, "metadata"), REFUND_ID_KEY), reason=g(obj, "reason")))
        elif resource == "balance_transactions":
            source = g(obj, "source")
            batch.balances.append(RemoteBalance(
                provider=Provider.STRIPE, provider_id=str(g(obj, "id")),
                source=source if isinstance(source, str) or source is None else g(source, "id"),
                type=str(g(obj, "type", "")), amount=iso_amount(obj, "amount"), fee=iso_amount(obj, "fee"),
                net=iso_amount(obj, "net"), currency=str(g(obj, "currency", "")).upper(),
                status=str(g(obj, "status", "")), created_at=ts(g(obj, "created"))))
        elif resource == "products":
            meta = g(obj, "metadata") or {}
            batch.products.append(RemoteProduct(Provider.STRIPE, str(g(obj, "id")), str(g(obj, "name", "")),
                                                g(meta, TEMPLATE_KEY)))


class _FilterUnsupportedError(Exception):
    """The server rejected the ``created`` filter for this list."""


def _load_sdk_parts(client: Any) -> None:
    """Import now the parts of the SDK it loads lazily at the first request and the first page it reads:
    a provider is built on a worker thread, and these imports took ~450 ms of the GUI's loop at a first Sync."""
    v1 = client.v1
    for service in ("payment_intents", "charges", "refunds", "products", "balance_transactions", "prices"):
        getattr(v1, service)
    for resource in ("PaymentIntent", "Charge", "Refund", "Product", "BalanceTransaction", "Price", "Invoice",
                     "ListObject"):
        getattr(stripe, resource)
    # two private modules the SDK imports inside its first request and its first page's conversion (16.x);
    # an SDK without them just loads whatever it has instead, later
    for private in ("stripe._object_classes", "stripe._telemetry_id"):
        with contextlib.suppress(ImportError):
            importlib.import_module(private)
    platform.platform()  # the user-agent header asks for it at each request; the first call runs `uname` (cached)
