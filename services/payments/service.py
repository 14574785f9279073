"""PaymentsService: charge, refund, sync, import, list, summary, failed + retry, provider health.

Network work is ``async`` (``*_async`` methods) on one long-lived ``httpx.AsyncClient`` per
event loop; the plain methods, for a panel's worker thread, wait for the coroutine on the
application's loop (services/runtime.py); the CLI awaits the coroutines on its command's loop. Every charge gets a local id and an idempotency key committed *before* the
first attempt; a retry after an unknown outcome reuses the key and first looks the payment
up by that local id at the provider, so a customer is never charged twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select

import app.payments.events  # noqa: F401 - registers the payment event types
from app.choice import parse_choice
from app.credentials import credential_problem
from app.errors import NotFoundError, ProviderError, UserError
from app.failures import Standing
from app.health import Health
from app.jsonvalue import as_object
from app.payments.charging import DEFAULT_TEST_PAYMENT_METHOD, StripeMode, stripe_mode
from app.payments.events import (
    PaymentActionRequired,
    PaymentCharged,
    PaymentDeclined,
    PaymentFailed,
    PaymentRefunded,
    PaymentsImported,
    PaymentsSynced,
    ProviderRecovered,
    ProviderUnhealthy,
)
from app.payments.model import (
    FAILED_STATUSES,
    ImportReport,
    Provider,
    RefundResult,
    RefundStatus,
    SummaryBy,
    SummaryRow,
    SyncReport,
    Transaction,
    TxnStatus,
    check_refund,
)
from app.payments.money import normalize_currency, to_minor
from app.remedies import GivePaymentMethod, ImportPayments, ListPayments, RetryPayment, SetCredential, SyncPayments
from app.timeutil import to_iso
from app.untrusted import load_json
from services.base import BaseService, operation
from services.context import ServiceContext
from services.db.ids import resolve_id
from services.payments.health import PROVIDER_REST, provider_run, providers_health, store_run
from services.payments.http import HttpClients, load_first_request_parts
from services.payments.ledger import Ledger, TxnFilter, count_txns, list_txns, summary, to_domain
from services.payments.models import (
    ProductRecord,
    ProviderHealthRecord,
    RefundRecord,
    TransactionRecord,
)
from services.payments.stats import template_revenue
from services.ports import TemplateFigures
from services.runtime import on_own_loop, run_blocking
from services.settings.service import SettingsService

if TYPE_CHECKING:  # the providers' requests and outcomes: imported by what syncs, charges or refunds, not with the
    # service (Home's first fill and the panel's reads need none of them)
    from services.payments.providers.base import (
        ChargeOutcome,
        CheckingProvider,
        CursorState,
        RefundOutcome,
        RemoteTxn,
        SyncBatch,
    )
    from services.payments.providers.gumroad import GumroadProvider
    from services.payments.providers.itch import ItchProvider
    from services.payments.providers.kofi import KofiPayload
    from services.payments.providers.kofi_listener import KofiListener, ListenerLimits
    from services.payments.providers.stripe_provider import StripeProvider

    PullProvider = StripeProvider | GumroadProvider | ItchProvider

log = logging.getLogger(__name__)
# imported by the methods that sync, charge or refund, not with the service (Home's start-up and the panel's reads
# need none of them); the GUI imports them on a worker once its first panel is filled (Services.import_deferred)
LATER_IMPORTS = ("services.payments.providers.base",)
T = TypeVar("T")
Progress = Callable[[str, int], None]

SYNCABLE = (Provider.STRIPE, Provider.GUMROAD, Provider.ITCH)


class PaymentDeclinedError(UserError):
    """The charge was declined; the ledger row records the reason."""

    def __init__(self, message: str, transaction: Transaction) -> None:
        super().__init__(message)
        self.transaction = transaction


class PaymentsService(BaseService):
    name = "payments"
    page_size = 100
    write_rows = 2000  # at most this many rows of pages fetched during a write go into the next one
    gumroad_start: date | None = None
    gumroad_chunk_days = 30

    def __init__(self, ctx: ServiceContext, settings: SettingsService, http: HttpClients | None = None) -> None:
        super().__init__(ctx)
        self.settings = settings
        self.http = http or HttpClients()

    # -- running coroutines for sync callers --------------------------------------------------
    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """The blocking form of a ``*_async`` method: on the application's loop, where its long-lived
        HTTP client lives; a loop of the call's own (none runs) closes its client when it ends."""
        return run_blocking(coro, alone_then=self.http.close_current)

    async def end_loop(self) -> None:
        """Close the running loop's HTTP client, when the loop ends with its caller (a CLI command's)."""
        await self.http.close_current()

    # -- providers ------------------------------------------------------------------------
    async def _provider(self, p: Provider, secret: str | None = None) -> PullProvider:
        """The provider's client, with ``secret`` or else the stored credential, built on a worker thread.

        Building one reads the keyring, and the first one imports the provider's SDK and loads the CA
        bundle into the loop's HTTP client: about a second that would otherwise stall the GUI's loop.
        """
        loop = asyncio.get_running_loop()
        return await asyncio.to_thread(self._build_provider, p, secret, loop)

    async def _stripe(self) -> StripeProvider:
        from services.payments.providers.stripe_provider import StripeProvider

        provider = await self._provider(Provider.STRIPE)
        assert isinstance(provider, StripeProvider)
        return provider

    async def _refunding(self, p: Provider) -> StripeProvider | GumroadProvider:
        """The client of a provider that refunds through its API (``p.can_refund_remotely``)."""
        from services.payments.providers.itch import ItchProvider

        provider = await self._provider(p)
        assert not isinstance(provider, ItchProvider), f"{p.value} has no refund API"
        return provider

    def _build_provider(self, p: Provider, secret: str | None, loop: asyncio.AbstractEventLoop) -> PullProvider:
        from services.payments.providers.base import need_credential

        secret = secret or need_credential(self.settings.credential(p.value), p)
        http = self.http.get(loop)
        load_first_request_parts()
        timeout = self.http.read_timeout
        if p is Provider.STRIPE:
            from services.payments.providers.stripe_provider import StripeProvider

            return StripeProvider(secret, self.settings.base_url("STRIPE"), http, retry=self.with_retry_async,
                                  page_size=self.page_size, timeout=timeout)
        if p is Provider.GUMROAD:
            from services.payments.providers.gumroad import GumroadProvider

            return GumroadProvider(secret, self.settings.base_url("GUMROAD"), http, retry=self.with_retry_async,
                                   start=self.gumroad_start, chunk_days=self.gumroad_chunk_days)
        if p is Provider.ITCH:
            from services.payments.providers.itch import ItchProvider

            return ItchProvider(secret, self.settings.base_url("ITCH"), http, retry=self.with_retry_async)
        raise UserError(f"{p.value} has no pull API; import its webhook payloads or CSV export",
                        remedy=ImportPayments(p.value))

    @operation
    def test_connection(self, provider: str, secret: str | None = None) -> str:
        return self._run(self.test_connection_async(provider, secret))

    async def test_connection_async(self, provider: str, secret: str | None = None) -> str:
        """Call ``provider`` once with ``secret`` (typed, not yet stored) or the stored credential; what it
        answered, in words. A refusal or an unreachable provider raises ProviderError; nothing is stored."""
        p = Provider.parse(provider)
        self.require(p.has_api, "Ko-fi has no API to test a token against; "
                                             "a webhook carrying another token is refused")
        if secret is not None:
            problem = credential_problem(p.value, secret)
            self.require(problem is None, f"{p.value}: {problem}")
            secret = secret.strip()
        client: CheckingProvider = await self._provider(p, secret)
        return await client.check()

    # -- provider health ------------------------------------------------------------------------
    @property
    def unhealthy_after(self) -> int:
        """Failed operations in a row before a provider is marked unhealthy (and rested)."""
        return PROVIDER_REST.threshold

    def _health_row(self, session: Any, p: Provider) -> ProviderHealthRecord:
        rec: ProviderHealthRecord | None = session.get(ProviderHealthRecord, p.value)
        if rec is None:
            rec = ProviderHealthRecord(provider=p.value, state="ok", consecutive_failures=0)
            session.add(rec)
        return rec

    def _check_healthy(self, p: Provider) -> None:
        with self.ctx.new_uow() as uow:
            run = provider_run(uow.session.get(ProviderHealthRecord, p.value))
        until = run.resting_until if run.is_resting(self.ctx.clock()) else None
        if until is not None:
            raise ProviderError(
                f"{p.value} is marked unhealthy after {run.failures} failed attempts in a row "
                f"(last: {run.last_error}); it is tried again after {to_iso(until)}",
                provider=p.value, transient=False)

    def _mark_ok(self, p: Provider) -> None:
        with self.ctx.new_uow() as uow:
            rec = self._health_row(uow.session, p)
            was = provider_run(rec)
            store_run(rec, was.after_success())
            rec.last_ok_at = self.ctx.clock()
            if was.standing(PROVIDER_REST) is Standing.UNHEALTHY:
                uow.record(ProviderRecovered(source=self.name, provider=p.value))
            uow.commit()

    def _mark_failure(self, p: Provider, exc: BaseException) -> None:
        now = self.ctx.clock()
        retry_after = exc.retry_after if isinstance(exc, ProviderError) else None
        with self.ctx.new_uow() as uow:
            rec = self._health_row(uow.session, p)
            was = provider_run(rec)
            error = str(exc)[:300]
            run = was.after_failure(PROVIDER_REST, now, error, retry_after)
            store_run(rec, run)
            rec.last_failure_at = now
            became_unhealthy = run.standing(PROVIDER_REST) is Standing.UNHEALTHY
            if became_unhealthy and was.standing(PROVIDER_REST) is not Standing.UNHEALTHY:
                uow.record(ProviderUnhealthy(source=self.name, provider=p.value,
                                             failures=run.failures, reason=error))
            uow.commit()
        self.invalidate()

    async def _guarded(self, p: Provider, call: Callable[[], Awaitable[T]]) -> T:
        """Run a provider operation: refuse while unhealthy, count transient failures, reset on success."""
        await asyncio.to_thread(self._check_healthy, p)  # the health row is read and written off the loop
        try:
            result = await call()
        except ProviderError as exc:
            if exc.transient:  # a decline or a refused request says nothing about the provider's health
                await asyncio.to_thread(self._mark_failure, p, exc)
            raise
        await asyncio.to_thread(self._mark_ok, p)
        return result

    @operation
    def provider_health(self) -> list[dict[str, Any]]:
        out = []
        with self.ctx.new_uow() as uow:
            rows = {r.provider: r for r in uow.session.scalars(select(ProviderHealthRecord))}
            for p in Provider:
                r = rows.get(p.value)
                run = provider_run(r)
                out.append({
                    "provider": p.value,
                    "state": run.standing(PROVIDER_REST).value,
                    "consecutive_failures": run.failures,
                    "last_error": r.last_error if r else None,
                    "unhealthy_until": to_iso(run.resting_until) if run.resting_until else None,
                })
        return out

    def health(self) -> Health:
        return providers_health(self.ctx)

    # -- charge ----------------------------------------------------------------------------------
    @operation
    def charge(self, provider: str, template_id: str | None, amount: str | int, currency: str,
               payment_method: str | None = None, description: str = "") -> Transaction:
        return self._run(self.charge_async(provider, template_id, amount, currency, payment_method, description))

    async def charge_async(self, provider: str, template_id: str | None, amount: str | int, currency: str,
                           payment_method: str | None = None, description: str = "") -> Transaction:
        p = Provider.parse(provider)
        self.require(p.can_charge, f"{p.value} charges happen on {p.value}'s own checkout; bring them in from there",
                     ImportPayments(p.value) if p is Provider.KOFI else SyncPayments(p.value))
        cur = normalize_currency(currency)
        minor = to_minor(amount, cur) if isinstance(amount, str) else int(amount)
        self.require(minor > 0, "the amount must be positive")
        from services.payments.providers.base import need_credential

        key = need_credential(self.settings.credential(p.value), p)
        if not payment_method:
            self.require(stripe_mode(key) is StripeMode.TEST, "a live charge needs a saved payment method",
                         GivePaymentMethod())
            payment_method = DEFAULT_TEST_PAYMENT_METHOD
        self._check_healthy(p)
        now = self.ctx.clock()
        with self.ctx.new_uow() as uow:
            row = TransactionRecord(
                id=uuid.uuid4().hex, provider=p.value, provider_id=None, kind="charge",
                status=TxnStatus.PENDING.value, amount=minor, currency=cur, fee=0, refunded_amount=0,
                template_id=template_id or None, description=description, payment_method=payment_method,
                idempotency_key=str(uuid.uuid4()), attempts=0, created_at=now,
            )
            Ledger(uow.session, now).add(row)
            uow.commit()
        self.invalidate()
        return await self._attempt_charge(row.id)

    @operation
    def charge_mode(self) -> StripeMode | None:
        """Whether the stored Stripe key is a test or a live one (None: no key), so a form can offer test cards."""
        key = self.settings.credential(Provider.STRIPE.value)
        return stripe_mode(key) if key else None

    def _bump_attempts(self, txn_id: str) -> TransactionRecord:
        with self.ctx.new_uow() as uow:
            row = uow.session.get(TransactionRecord, txn_id)
            assert row is not None
            row.attempts += 1
            row.updated_at = self.ctx.clock()
            uow.commit()
            return row

    def _load(self, txn_id: str) -> TransactionRecord:
        with self.ctx.new_uow() as uow:
            row = uow.session.get(TransactionRecord, txn_id)
            if row is None:
                row = uow.session.scalar(select(TransactionRecord).where(TransactionRecord.provider_id == txn_id))
            if row is None:
                full = resolve_id(uow.session, TransactionRecord.id, txn_id, what="transaction",
                                  remedy=ListPayments())
                row = uow.session.get(TransactionRecord, full)
            if row is None:
                raise NotFoundError(f"no transaction {txn_id!r}", remedy=ListPayments())
            uow.session.expunge(row)  # detached with its loaded values (the read-only unit of work rolls back)
            return row

    async def _attempt_charge(self, txn_id: str) -> Transaction:
        from services.payments.providers.base import ChargeOutcome, ChargeRequest, DeclinedError

        p = Provider.STRIPE
        provider = await self._stripe()

        async def attempt() -> ChargeOutcome:
            row = self._load(txn_id)
            if row.attempts > 0:
                found: ChargeOutcome | None = await provider.find_charge(row.id, row.created_at)
                if found is not None:
                    return found
            row = self._bump_attempts(txn_id)
            req = ChargeRequest(local_id=row.id, idempotency_key=row.idempotency_key or "", amount=row.amount,
                                currency=row.currency, payment_method=row.payment_method or "",
                                template_id=row.template_id, description=row.description, created_at=row.created_at)
            outcome: ChargeOutcome = await provider.charge(req)
            return outcome

        try:
            outcome = await self._guarded(p, lambda: self.with_retry_async(attempt))
        except DeclinedError as exc:
            txn = self._record_outcome(txn_id, ChargeOutcome(
                provider_id=exc.provider_id, status=TxnStatus.DECLINED, amount=0, currency="",
                failure_code=exc.code, failure_message=str(exc)))
            raise PaymentDeclinedError(f"{exc} (transaction {txn.id} recorded as declined)", txn) from exc
        except ProviderError as exc:
            reason = str(exc)
            if exc.transient:
                reason += f"; the outcome is unknown: a retry checks {p.value} before charging again"
            self._record_failure(txn_id, "provider_unreachable" if exc.transient else "provider_error", reason,
                                 exc.transient)
            raise ProviderError(reason, provider=p.value, transient=exc.transient, status_code=exc.status_code,
                                remedy=RetryPayment(txn_id) if exc.transient else exc.remedy) from exc
        txn = self._record_outcome(txn_id, outcome)
        if txn.status is TxnStatus.DECLINED:  # found by reconciliation: the same answer as a direct decline
            raise PaymentDeclinedError(f"card declined: {txn.failure_message or txn.failure_code} "
                                       f"(transaction {txn.id} recorded as declined)", txn)
        return txn

    def _record_failure(self, txn_id: str, code: str, message: str, transient: bool) -> None:
        with self.ctx.new_uow() as uow:
            row = uow.session.get(TransactionRecord, txn_id)
            assert row is not None
            ledger = Ledger(uow.session, self.ctx.clock())
            before = ledger.before(row)
            if not TxnStatus(row.status).captured:
                row.status = TxnStatus.FAILED.value
            row.failure_code = code
            row.failure_message = message[:500]
            row.updated_at = self.ctx.clock()
            ledger.after(row, before)
            ledger.flush_totals()
            uow.record(PaymentFailed(source=self.name, transaction_id=txn_id, provider=row.provider,
                                     reason=message[:300], transient=transient))
            uow.commit()
        self.invalidate()

    def _record_outcome(self, txn_id: str, out: ChargeOutcome) -> Transaction:
        with self.ctx.new_uow() as uow:
            row = uow.session.get(TransactionRecord, txn_id)
            assert row is not None
            ledger = Ledger(uow.session, self.ctx.clock())
            before = ledger.before(row)
            if out.provider_id:
                row.provider_id = out.provider_id
            if out.charge_id:
                row.charge_id = out.charge_id
            row.status = out.status.value
            row.failure_code = out.failure_code if out.status in (TxnStatus.DECLINED, TxnStatus.FAILED) else None
            row.failure_message = out.failure_message if out.status in (TxnStatus.DECLINED, TxnStatus.FAILED) else None
            if out.status is TxnStatus.REQUIRES_ACTION:
                row.failure_code = "authentication_required"
                row.failure_message = f"the customer must authenticate the payment ({out.next_action or '3-D Secure'})"
            row.updated_at = self.ctx.clock()
            ledger.after(row, before)
            ledger.flush_totals()
            common: dict[str, Any] = {"source": self.name, "transaction_id": row.id, "provider": row.provider}
            if out.status is TxnStatus.SUCCEEDED:
                uow.record(PaymentCharged(**common, provider_id=row.provider_id or "", amount=row.amount,
                                          currency=row.currency, template_id=row.template_id))
            elif out.status is TxnStatus.DECLINED:
                uow.record(PaymentDeclined(**common, code=row.failure_code or "", reason=row.failure_message or ""))
            elif out.status is TxnStatus.REQUIRES_ACTION:
                uow.record(PaymentActionRequired(**common, provider_id=row.provider_id or "",
                                                 action=out.next_action or "3-D Secure"))
            uow.commit()
            txn = to_domain(row)
        self.invalidate()
        return txn

    # -- retry ---------------------------------------------------------------------------------
    @operation
    def retry(self, txn_id: str, payment_method: str | None = None) -> Transaction:
        return self._run(self.retry_async(txn_id, payment_method))

    async def retry_async(self, txn_id: str, payment_method: str | None = None) -> Transaction:
        row = self._load(txn_id)
        status = TxnStatus(row.status)
        self.require(row.kind == "charge" and Provider(row.provider).can_charge,
                     f"only charges made by TrendForge can be retried; this is a {row.provider} {row.kind}")
        self.require(status.retryable, f"transaction {row.id} is {status.value}; only failed, declined or "
                                       "unconfirmed charges can be retried")
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(TransactionRecord, row.id)
            assert rec is not None
            if status in (TxnStatus.DECLINED, TxnStatus.REQUIRES_ACTION):
                # A new attempt is a new charge to the provider: new key, stored before it is used;
                # the old intent is still found by the local id if it succeeded meanwhile.
                rec.idempotency_key = str(uuid.uuid4())
            if payment_method:
                rec.payment_method = payment_method
            rec.attempts = max(rec.attempts, 1)  # forces a reconcile by local id first
            uow.commit()
        self.invalidate()
        return await self._attempt_charge(row.id)

    # -- refunds -------------------------------------------------------------------------------
    @operation
    def refund(self, txn_id: str, amount: str | int | None = None) -> RefundResult:
        return self._run(self.refund_async(txn_id, amount))

    async def refund_async(self, txn_id: str, amount: str | int | None = None) -> RefundResult:
        from services.payments.providers.base import RefundRequest

        row = self._load(txn_id)
        p = Provider(row.provider)
        requested = None if amount is None else (to_minor(amount, row.currency) if isinstance(amount, str)
                                                 else int(amount))
        if p.can_refund_remotely:
            await self._settle_pending_refunds(row)
        now = self.ctx.clock()
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(TransactionRecord, row.id)
            assert rec is not None
            ledger = Ledger(uow.session, now)
            already = max(rec.refunded_amount, ledger.refunds_total(rec.id))
            value = check_refund(requested, rec.amount, already, rec.currency, TxnStatus(rec.status))
            self.require(rec.provider_id or not p.can_refund_remotely,
                         "this payment has no provider id yet; sync first", SyncPayments(p.value))
            refund = RefundRecord(id=uuid.uuid4().hex, transaction_id=rec.id, provider=p.value,
                                  provider_refund_id=None, amount=value, currency=rec.currency,
                                  status=RefundStatus.PENDING.value, reason="requested_by_customer",
                                  idempotency_key=str(uuid.uuid4()), created_at=now)
            uow.session.add(refund)
            full = already == 0 and value == rec.amount
            uow.commit()
        if not p.can_refund_remotely:
            return self._finish_refund(refund.id, None, remote=False, message=p.refund_location)
        provider = await self._refunding(p)
        req = RefundRequest(local_refund_id=refund.id, idempotency_key=refund.idempotency_key or "",
                            provider_id=row.provider_id or "", charge_id=row.charge_id, amount=value,
                            currency=row.currency, full=full)
        tries = 0

        async def attempt() -> RefundOutcome:
            nonlocal tries
            tries += 1
            if tries > 1:
                found: RefundOutcome | None = await provider.find_refund(req)
                if found is not None:
                    return found
            out: RefundOutcome = await provider.refund(req)
            return out

        try:
            outcome = await self._guarded(p, lambda: self.with_retry_async(attempt))
        except ProviderError as exc:
            with self.ctx.new_uow() as uow:
                r = uow.session.get(RefundRecord, refund.id)
                assert r is not None
                r.status = RefundStatus.PENDING.value if exc.transient else RefundStatus.FAILED.value
                r.message = str(exc)[:500]
                uow.commit()
            if exc.transient:
                raise ProviderError(f"{exc}; the refund's outcome is unknown and stays pending until a sync "
                                    "reconciles it", provider=p.value, transient=True,
                                    remedy=SyncPayments(p.value)) from exc
            raise
        return self._finish_refund(refund.id, outcome.provider_refund_id, remote=True, message="")

    async def _settle_pending_refunds(self, row: TransactionRecord) -> None:
        """Refunds left pending by an unknown outcome: ask the provider, then count them or drop them."""
        from services.payments.providers.base import RefundRequest

        with self.ctx.new_uow() as uow:
            pending = list(uow.session.scalars(select(RefundRecord).where(
                RefundRecord.transaction_id == row.id, RefundRecord.status == RefundStatus.PENDING.value)))
            uow.session.expunge_all()
        if not pending:
            return
        p = Provider(row.provider)
        provider = await self._refunding(p)
        for r in pending:
            req = RefundRequest(local_refund_id=r.id, idempotency_key=r.idempotency_key or "",
                                provider_id=row.provider_id or "", charge_id=row.charge_id, amount=r.amount,
                                currency=r.currency, full=False)
            found: RefundOutcome | None = await self._guarded(p, lambda req=req: self.with_retry_async(  # type: ignore[misc]
                lambda: provider.find_refund(req)))
            if found is not None:
                self._finish_refund(r.id, found.provider_refund_id, remote=True, message="")
            else:
                with self.ctx.new_uow() as uow:
                    rec = uow.session.get(RefundRecord, r.id)
                    assert rec is not None
                    rec.status = RefundStatus.FAILED.value
                    rec.message = f"not found at {p.value} after an unknown outcome; not counted"
                    uow.commit()

    def _finish_refund(self, refund_id: str, provider_refund_id: str | None, *, remote: bool,
                       message: str) -> RefundResult:
        now = self.ctx.clock()
        with self.ctx.new_uow() as uow:
            r = uow.session.get(RefundRecord, refund_id)
            assert r is not None
            r.status = RefundStatus.SUCCEEDED.value if remote else RefundStatus.RECORDED.value
            r.provider_refund_id = provider_refund_id or f"local:{r.id}"
            r.message = message or None
            uow.session.flush()
            ledger = Ledger(uow.session, now)
            row = uow.session.get(TransactionRecord, r.transaction_id)
            assert row is not None
            ledger.set_refunded(row, ledger.refunds_total(row.id))
            ledger.flush_totals()
            uow.record(PaymentRefunded(source=self.name, transaction_id=row.id, refund_id=r.id,
                                       provider=row.provider, amount=r.amount, currency=r.currency, remote=remote))
            uow.commit()
            txn = to_domain(row)
            result = RefundResult(txn, r.amount, r.id, remote, message)
        self.invalidate()
        return result

    # -- sync ------------------------------------------------------------------------------------
    def configured_providers(self) -> list[Provider]:
        names = set(self.settings.list_credentials())
        return [p for p in SYNCABLE if p.value in names]

    @operation
    def sync(self, provider: str | None = None, progress: Progress | None = None) -> list[SyncReport]:
        return self._run(self.sync_async(provider, progress))

    async def sync_async(self, provider: str | None = None, progress: Progress | None = None) -> list[SyncReport]:
        if provider:
            p = Provider.parse(provider)
            return [await self._sync_one(p, progress)]
        targets = self.configured_providers()
        self.require(targets, "no provider credentials stored (stripe, gumroad or itch); "
                              "Ko-fi payments come in as an import", SetCredential(Provider.STRIPE.value))
        reports = []
        for p in targets:
            try:
                reports.append(await self._sync_one(p, progress))
            except (ProviderError, UserError) as exc:
                reports.append(SyncReport(p, error=str(exc), remedy=exc.remedy))
        return reports

    async def _sync_one(self, p: Provider, progress: Progress | None) -> SyncReport:
        """One provider's sync, on a loop of its own on a worker: its HTTP client's callbacks and the paged
        listing never run on the caller's loop (the GUI's, under qasync), which only waits for the report
        while progress comes as it is written."""
        return await on_own_loop(lambda: self._sync_here(p, progress))

    async def _sync_here(self, p: Provider, progress: Progress | None) -> SyncReport:
        try:
            return await self._sync_with_client(p, progress)
        finally:
            await self.http.close_current()  # this loop's client, which ends with the loop

    async def _sync_with_client(self, p: Provider, progress: Progress | None) -> SyncReport:
        provider = await self._provider(p)
        cursors = await asyncio.to_thread(self._cursors, p)  # SQLite stays off the loop (the GUI's, under qasync)
        totals = {"fetched": 0, "added": 0, "updated": 0, "pages": 0}

        async def run() -> None:
            # Pages are written on a worker thread while the next ones are fetched: the event loop (the GUI's,
            # under qasync) never waits on SQLite, and network and disk overlap. Pages that arrive while a write
            # runs are written together in the next one (one transaction, so fewer commits and rollup flushes
            # when the disk is the slower side), at most `write_rows` rows at a time. Pages are applied strictly
            # in order, so a cursor is never saved ahead of the rows it covers.
            writing: asyncio.Future[None] | None = None
            pending: list[SyncBatch] = []

            def apply(batches: list[SyncBatch]) -> None:
                self._apply_batches(p, batches, totals)
                if progress is not None:
                    progress(p.value, totals["fetched"])

            try:
                async for batch in provider.sync(cursors):
                    pending.append(batch)
                    if writing is not None and not writing.done() and sum(b.size for b in pending) < self.write_rows:
                        continue
                    if writing is not None:
                        await writing
                    writing, pending = asyncio.ensure_future(asyncio.to_thread(apply, pending)), []
            finally:
                if writing is not None:
                    await writing
                if pending:
                    await asyncio.to_thread(apply, pending)

        await self._guarded(p, run)
        await asyncio.to_thread(self._record_synced, p, totals)
        return SyncReport(p, fetched=totals["fetched"], added=totals["added"], updated=totals["updated"],
                          pages=totals["pages"])

    def _cursors(self, p: Provider) -> dict[str, CursorState]:
        with self.ctx.new_uow() as uow:
            return Ledger(uow.session, self.ctx.clock()).cursors(p)

    def _record_synced(self, p: Provider, totals: dict[str, int]) -> None:
        with self.ctx.new_uow() as uow:
            uow.record(PaymentsSynced(source=self.name, provider=p.value, fetched=totals["fetched"],
                                      added=totals["added"], updated=totals["updated"]))
            uow.commit()
        self.invalidate()

    def _apply_batches(self, p: Provider, batches: list[SyncBatch], totals: dict[str, int]) -> None:
        """Write pages in order in one transaction: their rows, rollups and each page's cursor, or none of them."""
        counts = {"fetched": 0, "added": 0, "updated": 0, "pages": 0}
        with self.ctx.new_uow() as uow:
            ledger = Ledger(uow.session, self.ctx.clock())
            for batch in batches:
                if batch.products:
                    ledger.upsert_products(batch.products)
                c = ledger.upsert_txns(batch.txns)
                changed = ledger.apply_charges(batch.charges, p)
                r = ledger.upsert_refunds(batch.refunds)
                b = ledger.apply_balances(batch.balances)
                if batch.cursor is not None:
                    ledger.save_cursor(p, batch.resource, batch.cursor, batch.last_created)
                counts["fetched"] += batch.size
                counts["added"] += c.added + r.added
                counts["updated"] += c.updated + changed + r.updated + b.updated
                counts["pages"] += 1 if batch.size else 0
            ledger.flush_totals()
            uow.commit()
        for k, v in counts.items():  # counted once committed: a refused write counts nothing
            totals[k] += v

    # -- import ----------------------------------------------------------------------------------
    @operation
    def import_file(self, provider: str, path: str | Path) -> ImportReport:
        p = Provider.parse(provider)
        file = Path(path)
        self.require(file.is_file(), f"no such file: {file}")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(f"{file} is not UTF-8 text") from exc
        return self.import_text(p.value, text)

    @operation
    def import_text(self, provider: str, text: str) -> ImportReport:
        import json

        p = Provider.parse(provider)
        if p is Provider.KOFI:
            from services.payments.providers.kofi import parse_file

            try:
                payloads = parse_file(text)
            except (ValueError, json.JSONDecodeError) as exc:
                raise UserError(f"could not read the Ko-fi file: {exc}") from exc
            return self._import_kofi(payloads)
        if p is Provider.GUMROAD:
            from services.payments.providers.gumroad import sale_to_txn

            try:
                data = load_json(text, "the Gumroad file")
            except json.JSONDecodeError as exc:
                raise UserError(f"a Gumroad import is the JSON of /v2/sales (a 'sales' list): {exc}") from exc
            sales = data.get("sales") if isinstance(data, dict) else data
            if not isinstance(sales, list):
                raise UserError("a Gumroad import needs a 'sales' list")
            try:
                txns = [sale_to_txn(as_object(s, "each of the Gumroad file's sales")) for s in sales]
            except ProviderError as exc:
                raise UserError(str(exc)) from exc
            return self._import_txns(p, txns, rejected=0, errors=())
        raise UserError(f"import supports kofi and gumroad files; {p.value} is synced",
                        remedy=SyncPayments(p.value))

    def _import_kofi(self, payloads: Sequence[KofiPayload]) -> ImportReport:
        from services.payments.providers.kofi import payload_to_txn, token_ok

        needs_token = any(not pl.from_csv for pl in payloads)
        token = self.settings.credential("kofi") if needs_token else None
        self.require(token or not needs_token,
                     "store your Ko-fi verification token first (Ko-fi > Settings > API > Webhooks)",
                     SetCredential(Provider.KOFI.value))
        txns = []
        rejected = 0
        errors: list[str] = []
        for i, pl in enumerate(payloads, 1):
            if not pl.from_csv and not token_ok(pl.data.get("verification_token"), token or ""):
                rejected += 1
                errors.append(f"payload {i}: verification token does not match; not imported")
                continue
            try:
                txns.append(payload_to_txn(pl))
            except (UserError, ProviderError, ValueError) as exc:
                rejected += 1
                errors.append(f"payload {i}: {exc}")
        return self._import_txns(Provider.KOFI, txns, rejected=rejected, errors=tuple(errors))

    def _import_txns(self, p: Provider, txns: Sequence[RemoteTxn], *, rejected: int, errors: tuple[str, ...]) -> ImportReport:
        seen: set[str] = set()
        unique = []
        for t in txns:
            key = t.message_id or t.provider_id
            if key in seen:
                continue
            seen.add(key)
            unique.append(t)
        with self.ctx.new_uow() as uow:
            ledger = Ledger(uow.session, self.ctx.clock())
            counts = ledger.upsert_txns(unique)
            ledger.flush_totals()
            report = ImportReport(p, added=counts.added, duplicates=len(txns) - counts.added, rejected=rejected,
                                  errors=errors)
            uow.record(PaymentsImported(source=self.name, provider=p.value, added=report.added,
                                        duplicates=report.duplicates, rejected=report.rejected))
            uow.commit()
        self.invalidate()
        return report

    def kofi_webhook(self, body: str) -> int:
        """Handle one Ko-fi webhook body; returns the HTTP status for Ko-fi (200 also for duplicates)."""
        from services.payments.providers.kofi import KofiPayload, parse_body

        try:
            payload = parse_body(body)
        except (UserError, ValueError):
            return 400
        try:
            report = self._import_kofi([KofiPayload(payload)])
        except UserError:
            return 503
        return 403 if report.rejected else 200

    def start_kofi_listener(self, port: int = 0, limits: ListenerLimits | None = None) -> KofiListener:
        """Start a loopback webhook listener (``.url``, ``.stop()``)."""
        from services.payments.providers.kofi_listener import KofiListener

        return KofiListener(self.kofi_webhook, port=port, limits=limits).start()

    # -- products ---------------------------------------------------------------------------------
    @operation
    def link_product(self, provider: str, product_id: str, template_id: str) -> int:
        """Tie a provider's product to a template, for later syncs and for the sales already recorded
        (one transaction: the link, the moved sales and their rollups). Returns how many sales moved."""
        p = Provider.parse(provider)
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(ProductRecord, (p.value, product_id))
            if rec is None:
                rec = ProductRecord(provider=p.value, product_id=product_id, name="", updated_at=self.ctx.clock())
                uow.session.add(rec)
            previous, rec.template_id = rec.template_id, template_id
            ledger = Ledger(uow.session, self.ctx.clock())
            moved = ledger.assign_template(p, product_id, template_id, previous)
            ledger.flush_totals()
            uow.commit()
        self.invalidate()
        return moved

    @operation
    def create_template_product(self, template_id: str, name: str, amount: str | int | None = None,
                                currency: str | None = None) -> dict[str, Any]:
        return self._run(self.create_template_product_async(template_id, name, amount, currency))

    async def create_template_product_async(self, template_id: str, name: str, amount: str | int | None = None,
                                            currency: str | None = None) -> dict[str, Any]:
        """A Stripe product for a template (``metadata[template_id]``), with a price when an amount is given."""
        self.require(template_id and name, "a product needs a template id and a name")
        cur = normalize_currency(currency) if currency else None
        minor = None
        if amount is not None:
            self.require(cur, "a price needs a currency")
            minor = to_minor(amount, cur or "") if isinstance(amount, str) else int(amount)
        provider = await self._stripe()
        product = await self._guarded(Provider.STRIPE, lambda: self.with_retry_async(
            lambda: provider.create_product(template_id, name, minor, cur)))
        with self.ctx.new_uow() as uow:
            Ledger(uow.session, self.ctx.clock()).upsert_products([product])
            uow.commit()
        self.invalidate()
        return {"provider": "stripe", "product_id": product.product_id, "price_id": product.price_id,
                "template_id": template_id, "name": name}

    @operation
    def products(self) -> list[dict[str, Any]]:
        with self.ctx.new_uow() as uow:
            return [{"provider": r.provider, "product_id": r.product_id, "name": r.name, "template_id": r.template_id,
                     "price_id": r.price_id, "amount": r.amount, "currency": r.currency}
                    for r in uow.session.scalars(select(ProductRecord).order_by(ProductRecord.provider,
                                                                                ProductRecord.name))]

    # -- queries -----------------------------------------------------------------------------------
    @operation
    def list_transactions(self, f: TxnFilter | None = None) -> list[Transaction]:
        f = f or TxnFilter()
        with self.ctx.new_uow() as uow:
            return list_txns(uow.session, f)

    @operation
    def count_transactions(self, f: TxnFilter | None = None) -> int:
        with self.ctx.new_uow() as uow:
            return count_txns(uow.session, f or TxnFilter())

    @operation
    def get(self, txn_id: str) -> Transaction:
        return to_domain(self._load(txn_id))

    @operation
    def refunds_of(self, txn_id: str) -> list[dict[str, Any]]:
        with self.ctx.new_uow() as uow:
            rows = uow.session.scalars(select(RefundRecord).where(RefundRecord.transaction_id == txn_id)
                                       .order_by(RefundRecord.created_at))
            return [{"id": r.id, "provider_refund_id": r.provider_refund_id, "amount": r.amount,
                     "currency": r.currency, "status": r.status, "message": r.message,
                     "created_at": to_iso(r.created_at)} for r in rows]

    @operation
    def failed(self, limit: int = 200) -> list[Transaction]:
        return self.list_transactions(TxnFilter(status=[s.value for s in FAILED_STATUSES], limit=limit))

    @operation
    def summary(self, by: str = "provider", *, provider: str | None = None, currency: str | None = None,
                template_id: str | None = None, since: str | None = None, until: str | None = None) -> list[SummaryRow]:
        key = parse_choice(SummaryBy, by, "summary grouping")
        cache_key = ("summary", key, provider, currency, template_id, since, until)

        def compute() -> list[SummaryRow]:
            with self.ctx.new_uow() as uow:
                return summary(uow.session, key, provider=provider, currency=currency, template_id=template_id,
                               since=since, until=until)

        return list(self.cached(cache_key, compute))

    def template_stats(self, template_ids: list[str]) -> dict[str, TemplateFigures]:
        """Per-template revenue for the templates area's stats (see :func:`services.payments.stats.template_revenue`)."""
        return template_revenue(self.ctx, template_ids)

    @operation
    def stats(self) -> dict[str, Any]:
        with self.ctx.new_uow() as uow:
            by_status = dict(uow.session.execute(select(TransactionRecord.status, func.count())
                                                 .group_by(TransactionRecord.status)).all())
        return {"by_status": {str(k): int(v) for k, v in by_status.items()}}

