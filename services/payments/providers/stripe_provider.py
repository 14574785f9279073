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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

import httpx

from app.currency import from_stripe, to_stripe
from app.errors import ProviderError, UserError
from app.jsonvalue import (
    JsonObject,
    JsonShapeError,
    JsonValue,
    as_array,
    as_bool,
    as_object,
    as_str,
    need_str,
    opt_int,
    opt_object,
    opt_str,
)
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
    Retry,
    SyncBatch,
    answer_shape,
    shape_refusal,
)
from services.payments.providers.stripe_sdk import stripe

if TYPE_CHECKING:
    from stripe.params import (
        CustomerListParams,
        PaymentIntentCreateParams,
        PriceCreateParams,
        ProductCreateParams,
        RefundCreateParams,
        RefundListParams,
    )

T = TypeVar("T")

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

    def _get_request_args_kwargs(self, method: str, url: str, headers: Mapping[str, str],
                                 post_data: Any) -> Any:  # the SDK's own method: untyped body and result
        # The SDK hands httpx an encoded form body as ``data=``; httpx wants raw bytes as ``content=``.
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        data = kwargs.pop("data", None)
        if data:
            kwargs["content"] = data
        return [args, kwargs]


# -- the Stripe objects the ledger reads, as documented (https://docs.stripe.com/api); None: absent or null ----


class StripePaymentError(TypedDict):
    code: str | None
    decline_code: str | None
    message: str | None


class StripePaymentIntent(TypedDict):
    id: str
    status: str
    amount: int  # Stripe's units of ``currency``
    currency: str
    created: int  # Unix seconds
    description: str
    latest_charge: str | None  # expandable: the id either way
    metadata: dict[str, str]
    last_payment_error: StripePaymentError | None
    next_action: str | None  # its ``type``


class StripeCharge(TypedDict):
    id: str
    payment_intent: str | None
    status: str
    amount: int
    amount_refunded: int
    captured: bool
    currency: str
    created: int
    description: str
    metadata: dict[str, str]
    failure_code: str | None
    failure_message: str | None


class StripeRefund(TypedDict):
    id: str
    payment_intent: str | None
    charge: str | None
    status: str | None
    amount: int | None
    currency: str
    created: int
    metadata: dict[str, str]
    reason: str | None


class StripeBalanceTransaction(TypedDict):
    id: str
    source: str | None
    type: str
    status: str
    amount: int
    fee: int
    net: int
    currency: str
    created: int


class StripeProduct(TypedDict):
    id: str
    name: str
    metadata: dict[str, str]


def _refused(kind: str, obj: JsonObject, exc: JsonShapeError) -> ProviderError:
    ident = obj.get("id")
    return shape_refusal(Provider.STRIPE, f"stripe {kind}" if ident is None else f"stripe {kind} {ident!r}", exc)


def _ref(obj: JsonObject, key: str) -> str | None:
    """An expandable field: the id, or the object (``{"id": ...}``) when expanded."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    return need_str(as_object(value, key), "id", f"{key}.id")


def _metadata(obj: JsonObject) -> dict[str, str]:
    meta = opt_object(obj, "metadata")
    if not meta:
        return {}
    return {k: v if isinstance(v, str) else as_str(v, f"metadata.{k}") for k, v in meta.items()}


def _int(obj: JsonObject, key: str) -> int:
    return opt_int(obj, key) or 0


def read_payment_intent(obj: JsonObject) -> StripePaymentIntent:
    try:
        err = opt_object(obj, "last_payment_error")
        action = opt_object(obj, "next_action")
        return StripePaymentIntent(
            id=need_str(obj, "id"), status=opt_str(obj, "status") or "", amount=_int(obj, "amount"),
            currency=opt_str(obj, "currency") or "", created=_int(obj, "created"),
            description=opt_str(obj, "description") or "", latest_charge=_ref(obj, "latest_charge"),
            metadata=_metadata(obj),
            last_payment_error=None if not err else StripePaymentError(
                code=opt_str(err, "code", "last_payment_error.code"),
                decline_code=opt_str(err, "decline_code", "last_payment_error.decline_code"),
                message=opt_str(err, "message", "last_payment_error.message")),
            next_action=None if not action else str(action.get("type")),
        )
    except JsonShapeError as exc:
        raise _refused("payment intent", obj, exc) from None


def read_charge(obj: JsonObject) -> StripeCharge:
    try:
        captured = obj.get("captured")
        return StripeCharge(
            id=need_str(obj, "id"), payment_intent=_ref(obj, "payment_intent"), status=opt_str(obj, "status") or "",
            amount=_int(obj, "amount"), amount_refunded=_int(obj, "amount_refunded"),
            captured=True if captured is None else as_bool(captured, "captured"),
            currency=opt_str(obj, "currency") or "", created=_int(obj, "created"),
            description=opt_str(obj, "description") or "", metadata=_metadata(obj),
            failure_code=opt_str(obj, "failure_code"), failure_message=opt_str(obj, "failure_message"),
        )
    except JsonShapeError as exc:
        raise _refused("charge", obj, exc) from None


def read_refund(obj: JsonObject) -> StripeRefund:
    try:
        return StripeRefund(
            id=need_str(obj, "id"), payment_intent=_ref(obj, "payment_intent"), charge=_ref(obj, "charge"),
            status=opt_str(obj, "status"), amount=opt_int(obj, "amount"), currency=opt_str(obj, "currency") or "",
            created=_int(obj, "created"), metadata=_metadata(obj), reason=opt_str(obj, "reason"),
        )
    except JsonShapeError as exc:
        raise _refused("refund", obj, exc) from None


def read_balance_transaction(obj: JsonObject) -> StripeBalanceTransaction:
    try:
        return StripeBalanceTransaction(
            id=need_str(obj, "id"), source=_ref(obj, "source"), type=opt_str(obj, "type") or "",
            status=opt_str(obj, "status") or "", amount=_int(obj, "amount"), fee=_int(obj, "fee"),
            net=_int(obj, "net"), currency=opt_str(obj, "currency") or "", created=_int(obj, "created"),
        )
    except JsonShapeError as exc:
        raise _refused("balance transaction", obj, exc) from None


def read_product(obj: JsonObject) -> StripeProduct:
    try:
        return StripeProduct(id=need_str(obj, "id"), name=opt_str(obj, "name") or "", metadata=_metadata(obj))
    except JsonShapeError as exc:
        raise _refused("product", obj, exc) from None


def _json(obj: stripe.StripeObject) -> JsonObject:
    """An SDK object as the JSON it came from, read like a listed page."""
    plain: JsonObject = obj.to_dict()  # the SDK types it dict[str, Any]; its values are JSON
    return plain


def ts(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def map_error(exc: stripe.StripeError) -> ProviderError:
    status = exc.http_status
    message = exc.user_message or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, stripe.CardError):
        err = exc.error
        code = str((err.decline_code if err else None) or exc.code or "card_declined")
        pi = err.payment_intent if err else None
        return DeclinedError(f"card declined: {message}", provider=NAME, code=code, provider_id=pi.id if pi else None)
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


def pi_status(pi: StripePaymentIntent) -> TxnStatus:
    status = pi["status"]
    if status == "succeeded":
        return TxnStatus.SUCCEEDED
    if status == "requires_action":
        return TxnStatus.REQUIRES_ACTION
    if status in ("processing", "requires_capture"):
        return TxnStatus.PROCESSING
    if status == "canceled":
        return TxnStatus.CANCELED
    if status == "requires_payment_method" and pi["last_payment_error"]:
        return TxnStatus.DECLINED
    return TxnStatus.PENDING


def iso_amount(raw: int, currency: str) -> int:
    """``raw`` (Stripe's units of ``currency``) in ISO minor units, as the ledger keeps them."""
    try:
        return from_stripe(raw, currency)
    except UserError:  # not an ISO code: nothing to convert against
        return raw


def outcome_of(pi: StripePaymentIntent) -> ChargeOutcome:
    err = pi["last_payment_error"]
    return ChargeOutcome(
        provider_id=pi["id"],
        status=pi_status(pi),
        amount=iso_amount(pi["amount"], pi["currency"]),
        currency=pi["currency"].upper(),
        charge_id=pi["latest_charge"],
        failure_code=(err["decline_code"] or err["code"]) if err else None,
        failure_message=err["message"] if err else None,
        next_action=pi["next_action"],
    )


def remote_txn(pi: StripePaymentIntent) -> RemoteTxn:
    meta = pi["metadata"]
    out = outcome_of(pi)
    return RemoteTxn(
        provider=Provider.STRIPE,
        provider_id=pi["id"],
        status=out.status,
        amount=out.amount,
        currency=out.currency,
        created_at=ts(pi["created"]),
        template_id=meta.get(TEMPLATE_KEY),
        description=pi["description"],
        charge_id=out.charge_id,
        local_id=meta.get(LOCAL_ID_KEY),
        failure_code=out.failure_code,
        failure_message=out.failure_message,
    )


LIST_PATHS = {name: f"/v1/{name}" for name in ("payment_intents", "charges", "refunds", "products", "balance_transactions")}


class StripeProvider:
    name = Provider.STRIPE

    def __init__(self, api_key: str, base_url: str, http: httpx.AsyncClient, *, retry: Retry,
                 page_size: int = 100, timeout: float = 20.0) -> None:
        self.client = stripe.StripeClient(
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
        params: CustomerListParams = {"limit": 1}
        await self._call(lambda: self.client.v1.customers.list_async(params=params))
        return "Stripe accepted the key"

    # -- charges ----------------------------------------------------------------------
    async def charge(self, req: ChargeRequest) -> ChargeOutcome:
        params: JsonObject = {
            "amount": to_stripe(req.amount, req.currency),
            "currency": req.currency.lower(),
            "payment_method": req.payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            "metadata": {LOCAL_ID_KEY: req.local_id, **({TEMPLATE_KEY: req.template_id} if req.template_id else {})},
        }
        if req.description:
            params["description"] = req.description
        # ``payment_method_types`` is the parameter's wire name, which the API and emulators accept; the SDK's typed
        # params (16.x) spell it ``allowed_payment_method_types``, so this one dict is handed over as their type
        typed = cast("PaymentIntentCreateParams", params)
        pi = await self._call(lambda: self.client.v1.payment_intents.create_async(
            params=typed, options={"idempotency_key": req.idempotency_key}))
        return outcome_of(read_payment_intent(_json(pi)))

    async def find_charge(self, local_id: str, since: datetime) -> ChargeOutcome | None:
        """The payment intent carrying ``metadata[trendforge_id] == local_id``, if Stripe has one."""
        state = CursorState(last_created=int(since.timestamp()))
        pages = 0
        async for page, _last, _max in self._pages("payment_intents", state):
            for obj in page:
                pi = read_payment_intent(obj)
                if pi["metadata"].get(LOCAL_ID_KEY) == local_id:
                    return outcome_of(pi)
            pages += 1
            if pages >= 20:
                break
        return None

    # -- refunds ----------------------------------------------------------------------
    async def refund(self, req: RefundRequest) -> RefundOutcome:
        params: RefundCreateParams = {"payment_intent": req.provider_id,
                                      "metadata": {REFUND_ID_KEY: req.local_refund_id}}
        if not req.full:
            params["amount"] = to_stripe(req.amount, req.currency)
        created = await self._call(lambda: self.client.v1.refunds.create_async(
            params=params, options={"idempotency_key": req.idempotency_key}))
        r = read_refund(_json(created))
        return RefundOutcome(provider_refund_id=r["id"],
                             amount=iso_amount(r["amount"], r["currency"]) if r["amount"] is not None else req.amount,
                             status=r["status"] or "succeeded")

    async def find_refund(self, req: RefundRequest) -> RefundOutcome | None:
        params: RefundListParams = {"payment_intent": req.provider_id, "limit": 100}
        page = await self._call(lambda: self.client.v1.refunds.list_async(params=params))
        for obj in page.data:
            r = read_refund(_json(obj))
            if r["metadata"].get(REFUND_ID_KEY) == req.local_refund_id:
                return RefundOutcome(provider_refund_id=r["id"], amount=iso_amount(r["amount"] or 0, r["currency"]),
                                     status=r["status"] or "succeeded")
        return None

    # -- products -----------------------------------------------------------------------
    async def create_product(self, template_id: str, name: str, amount: int | None, currency: str | None) -> RemoteProduct:
        params: ProductCreateParams = {"name": name, "metadata": {TEMPLATE_KEY: template_id}}
        product = await self._call(lambda: self.client.v1.products.create_async(params=params))
        price_id = None
        if amount is not None and currency:
            price_params: PriceCreateParams = {"product": product.id, "unit_amount": to_stripe(amount, currency),
                                               "currency": currency.lower()}
            price = await self._call(lambda: self.client.v1.prices.create_async(params=price_params))
            price_id = price.id
        return RemoteProduct(Provider.STRIPE, product.id, name, template_id, price_id, amount, currency)

    # -- sync -----------------------------------------------------------------------------
    async def _list(self, resource: str, params: dict[str, JsonValue]) -> JsonObject:
        """One page as the JSON the SDK parsed (plain mappings): the sync reads a few fields of each object,
        and turning a page into StripeObjects cost more than fetching it (~250 ms a page of 100 payment
        intents on the loop; on a worker, more thread time than the whole listing)."""
        path = LIST_PATHS.get(resource)
        if path is None:
            raise ValueError(resource)
        request: Any = self.client.raw_request_async  # the SDK leaves this one untyped; it answers a StripeResponse
        try:
            raw = await request("get", path, **params)
        except stripe.InvalidRequestError as exc:
            if resource != "balance_transactions" or exc.http_status != 404:
                raise
            # the endpoint's previous name, which some emulators (localstripe) still serve
            raw = await request("get", "/v1/balance/history", **params)
        with answer_shape(Provider.STRIPE, f"stripe {path}"):
            return as_object(raw.data, "the list")

    async def _pages(self, resource: str, state: CursorState) -> AsyncIterator[tuple[list[JsonObject], bool, int | None]]:
        """Pages of ``resource`` newer than the last sync point, following ``starting_after``."""
        params: dict[str, JsonValue] = {"limit": self.page_size}
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
            with answer_shape(Provider.STRIPE, f"stripe {resource} page"):
                data = [as_object(obj, "each of data") for obj in as_array(page.get("data") or [], "data")]
                for obj in data:
                    created = opt_int(obj, "created", "an object's created")
                    if created is not None and (newest is None or created > newest):
                        newest = created
                has_more = page.get("has_more") is True and bool(data)
                last_id = (opt_str(data[-1], "id", "an object's id") or "") if data else ""
            if has_more and last_id in seen:
                has_more = False  # a repeated cursor: stop rather than loop forever
            yield data, not has_more, newest
            if not has_more:
                return
            seen.add(last_id)
            params["starting_after"] = last_id

    async def _call_raw(self, resource: str, params: dict[str, JsonValue]) -> JsonObject:
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
    def _page_batch(cls, resource: str, data: list[JsonObject]) -> SyncBatch:
        batch = SyncBatch(resource=resource)
        for obj in data:
            cls._convert(resource, obj, batch)
        return batch

    @staticmethod
    def _convert(resource: str, obj: JsonObject, batch: SyncBatch) -> None:
        if resource == "payment_intents":
            batch.txns.append(remote_txn(read_payment_intent(obj)))
        elif resource == "charges":
            c = read_charge(obj)
            if c["payment_intent"]:
                batch.charges.append(RemoteChargeUpdate(c["payment_intent"], c["id"],
                                                        iso_amount(c["amount_refunded"], c["currency"]), c["captured"]))
            else:
                status = TxnStatus.SUCCEEDED if c["status"] == "succeeded" else (
                    TxnStatus.DECLINED if c["status"] == "failed" else TxnStatus.PENDING)
                meta = c["metadata"]
                batch.txns.append(RemoteTxn(
                    provider=Provider.STRIPE, provider_id=c["id"], status=status,
                    amount=iso_amount(c["amount"], c["currency"]), currency=c["currency"].upper(),
                    created_at=ts(c["created"]), refunded_amount=iso_amount(c["amount_refunded"], c["currency"]),
                    template_id=meta.get(TEMPLATE_KEY), charge_id=c["id"], local_id=meta.get(LOCAL_ID_KEY),
                    failure_code=c["failure_code"], failure_message=c["failure_message"],
                    description=c["description"]))
        elif resource == "refunds":
            r = read_refund(obj)
            batch.refunds.append(RemoteRefund(
                provider=Provider.STRIPE, provider_refund_id=r["id"], amount=iso_amount(r["amount"] or 0, r["currency"]),
                currency=r["currency"].upper(), status=r["status"] or "succeeded",
                created_at=ts(r["created"]), payment_ref=r["payment_intent"] or r["charge"] or "",
                local_id=r["metadata"].get(REFUND_ID_KEY), reason=r["reason"]))
        elif resource == "balance_transactions":
            b = read_balance_transaction(obj)
            batch.balances.append(RemoteBalance(
                provider=Provider.STRIPE, provider_id=b["id"], source=b["source"], type=b["type"],
                amount=iso_amount(b["amount"], b["currency"]), fee=iso_amount(b["fee"], b["currency"]),
                net=iso_amount(b["net"], b["currency"]), currency=b["currency"].upper(),
                status=b["status"], created_at=ts(b["created"])))
        elif resource == "products":
            p = read_product(obj)
            batch.products.append(RemoteProduct(Provider.STRIPE, p["id"], p["name"], p["metadata"].get(TEMPLATE_KEY)))


class _FilterUnsupportedError(Exception):
    """The server rejected the ``created`` filter for this list."""


def _load_sdk_parts(client: stripe.StripeClient) -> None:
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
