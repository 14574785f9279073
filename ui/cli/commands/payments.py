"""payments charge|refund|sync|list|summary|failed|retry|import|health (see the CLI contract in DESIGN.md)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from app.errors import UserError
from app.payments.model import FAILED_STATUSES, Provider, SummaryBy, Transaction, TxnStatus
from app.payments.money import format_minor, normalize_currency
from app.timeutil import parse_iso
from ui.cli.context import CliContext
from ui.cli.remedies import with_remedy

if TYPE_CHECKING:
    from services.payments.service import PaymentsService

T = TypeVar("T")

TXN_COLUMNS = ["id", "provider", "provider_id", "status", "amount_text", "refunded_text", "template_id", "created_at"]


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("payments", parents=[parent], help="one ledger of sales: charge, refund, sync, analytics")
    psub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    s = psub.add_parser("charge", parents=[parent], help="charge a payment method (Stripe)")
    s.add_argument("--provider", required=True, choices=[x.value for x in Provider])
    s.add_argument("--template", default=None, help="the template id this sale is for")
    s.add_argument("--amount", required=True, help="decimal amount, e.g. 9.99")
    s.add_argument("--currency", required=True, help="ISO code, e.g. USD")
    s.add_argument("--payment-method", default=None, help="a payment method id (pm_...); test keys default to pm_card_visa")
    s.add_argument("--description", default="")
    s.set_defaults(func=cmd_charge)

    s = psub.add_parser("refund", parents=[parent], help="refund a transaction, fully or in part")
    s.add_argument("txn", metavar="TXN")
    s.add_argument("--amount", default=None, help="decimal amount (default: everything not yet refunded)")
    s.set_defaults(func=cmd_refund)

    s = psub.add_parser("sync", parents=[parent], help="pull new sales, refunds and fees from the providers")
    s.add_argument("--provider", default=None, choices=[x.value for x in Provider])
    s.set_defaults(func=cmd_sync)

    s = psub.add_parser("list", parents=[parent], help="list ledger transactions, newest first")
    s.add_argument("--provider", choices=[x.value for x in Provider])
    s.add_argument("--status", action="append", default=[], choices=[x.value for x in TxnStatus])
    s.add_argument("--template")
    s.add_argument("--currency")
    s.add_argument("--since", help="ISO date/time, e.g. 2026-11-01")
    s.add_argument("--until", help="ISO date/time (exclusive)")
    s.add_argument("--search")
    s.add_argument("--limit", type=int, default=100)
    s.set_defaults(func=cmd_list)

    s = psub.add_parser("show", parents=[parent], help="one transaction with its refunds")
    s.add_argument("txn", metavar="TXN")
    s.set_defaults(func=cmd_show)

    s = psub.add_parser("summary", parents=[parent], help="revenue: gross, fees, refunds, net")
    s.add_argument("--by", default="provider", choices=[x.value for x in SummaryBy])
    s.add_argument("--provider", choices=[x.value for x in Provider])
    s.add_argument("--currency")
    s.add_argument("--since", help="YYYY-MM-DD")
    s.add_argument("--until", help="YYYY-MM-DD (exclusive)")
    s.set_defaults(func=cmd_summary)

    s = psub.add_parser("failed", parents=[parent], help="declined, failed and unauthenticated charges")
    s.add_argument("--limit", type=int, default=100)
    s.set_defaults(func=cmd_failed)

    s = psub.add_parser("retry", parents=[parent], help="retry a failed charge (checks the provider first)")
    s.add_argument("txn", metavar="TXN")
    s.add_argument("--payment-method", default=None)
    s.set_defaults(func=cmd_retry)

    s = psub.add_parser("import", parents=[parent], help="import Ko-fi webhook payloads / CSV, or a Gumroad sales JSON")
    s.add_argument("--provider", required=True, choices=[x.value for x in Provider])
    s.add_argument("file", metavar="FILE")
    s.set_defaults(func=cmd_import)

    s = psub.add_parser("products", parents=[parent], help="provider products and the templates they belong to")
    s.set_defaults(func=cmd_products)

    s = psub.add_parser("link", parents=[parent], help="tie a provider product (Gumroad product, itch.io game) to a template")
    s.add_argument("--provider", required=True, choices=[x.value for x in Provider])
    s.add_argument("--product", required=True, help="the provider's product id")
    s.add_argument("--template", required=True)
    s.set_defaults(func=cmd_link)

    s = psub.add_parser("create-product", parents=[parent], help="create a Stripe product (and price) for a template")
    s.add_argument("--template", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--amount", default=None)
    s.add_argument("--currency", default=None)
    s.set_defaults(func=cmd_create_product)

    s = psub.add_parser("listen", parents=[parent], help="receive Ko-fi webhooks on 127.0.0.1 (put a tunnel in front)")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl+C)")
    s.set_defaults(func=cmd_listen)

    s = psub.add_parser("health", parents=[parent], help="provider health (unhealthy providers are not retried)")
    s.set_defaults(func=cmd_health)


def _svc(ctx: CliContext) -> PaymentsService:
    return ctx.services.payments


def _on_loop(ctx: CliContext, call: Callable[[PaymentsService], Coroutine[Any, Any, T]]) -> T:
    """Await a provider call on the command's one loop (the loop other commands' jobs run on)."""
    from ui.cli.loop import run_on_loop

    svc = _svc(ctx)

    async def command() -> T:
        try:
            return await call(svc)
        finally:
            await svc.end_loop()  # the loop ends with the command: so does its HTTP client

    return run_on_loop(command)


def txn_row(t: Transaction) -> dict[str, Any]:
    row = t.to_dict()
    row["amount_text"] = format_minor(t.amount, t.currency)
    row["refunded_text"] = format_minor(t.refunded_amount, t.currency) if t.refunded_amount else ""
    return row


def _print_txn(ctx: CliContext, t: Transaction, headline: str) -> None:
    ctx.print(f"{headline}: {t.id} {t.provider.value} {t.provider_id or '-'} {t.status.value} "
              f"{format_minor(t.amount, t.currency)}")
    if t.status is TxnStatus.REQUIRES_ACTION:
        ctx.print(f"  needs action: {t.failure_message}")


def cmd_charge(ctx: CliContext) -> int:
    a = ctx.args
    t = _on_loop(ctx, lambda svc: svc.charge_async(a.provider, a.template, a.amount, a.currency, a.payment_method,
                                                 a.description))
    ctx.emit(txn_row(t), lambda: _print_txn(ctx, t, "charged" if t.status.captured else "recorded"))
    return 0


def cmd_refund(ctx: CliContext) -> int:
    r = _on_loop(ctx, lambda svc: svc.refund_async(ctx.args.txn, ctx.args.amount))
    data = {"transaction": txn_row(r.transaction), "refund_id": r.refund_id, "amount": r.amount,
            "remote": r.remote, "message": r.message}

    def human() -> None:
        t = r.transaction
        ctx.print(f"refunded {format_minor(r.amount, t.currency)} of {t.id} ({t.status.value}; "
                  f"{format_minor(t.refunded_amount, t.currency)} refunded in total)")
        if r.message:
            ctx.print(f"  recorded locally: {r.message}")

    ctx.emit(data, human)
    return 0


def cmd_sync(ctx: CliContext) -> int:
    def progress(provider: str, fetched: int) -> None:
        if not ctx.json:
            ctx.print(f"  {provider}: {fetched} objects")

    reports = _on_loop(ctx, lambda svc: svc.sync_async(ctx.args.provider, progress))
    rows = [r.to_dict() for r in reports]
    shown = [{**row, "error": with_remedy(r.error, r.remedy) if r.error else None} for row, r in zip(rows, reports, strict=True)]
    ctx.emit(rows, lambda: ctx.table(shown, ["provider", "fetched", "added", "updated", "pages", "error"]))
    return 1 if any(r.error for r in reports) and all(r.error for r in reports) else 0


def _time(text: str | None) -> Any:
    return parse_iso(text) if text else None


def cmd_list(ctx: CliContext) -> int:
    a = ctx.args
    from services.payments.ledger import TxnFilter

    f = TxnFilter(provider=a.provider, status=a.status, template_id=a.template,
                  currency=normalize_currency(a.currency) if a.currency else None,
                  since=_time(a.since), until=_time(a.until), search=a.search, limit=a.limit)
    rows = [txn_row(t) for t in _svc(ctx).list_transactions(f)]
    ctx.emit(rows, lambda: ctx.table(rows, TXN_COLUMNS))
    return 0


def cmd_show(ctx: CliContext) -> int:
    svc = _svc(ctx)
    t = svc.get(ctx.args.txn)
    data = {**txn_row(t), "refunds": svc.refunds_of(t.id)}

    def human() -> None:
        for k in ("id", "provider", "provider_id", "status", "amount_text", "fee", "refunded_text", "net",
                  "template_id", "description", "failure_code", "failure_message", "attempts", "created_at"):
            ctx.print(f"{k:16} {data.get(k) if data.get(k) not in (None, '') else '-'}")
        for r in data["refunds"]:
            ctx.print(f"refund {r['id']} {format_minor(r['amount'], r['currency'])} {r['status']} {r['message'] or ''}")

    ctx.emit(data, human)
    return 0


def cmd_summary(ctx: CliContext) -> int:
    a = ctx.args
    rows = [r.to_dict() for r in _svc(ctx).summary(
        a.by, provider=a.provider, currency=normalize_currency(a.currency) if a.currency else None,
        since=a.since, until=a.until)]

    def human() -> None:
        text_rows = [{**r, **{k: format_minor(r[k], r["currency"]) for k in ("gross", "fees", "refunds", "net")}}
                     for r in rows]
        ctx.table(text_rows, ["key", "currency", "count", "gross", "fees", "refunds", "net"])

    ctx.emit(rows, human)
    return 0


def cmd_failed(ctx: CliContext) -> int:
    rows = [txn_row(t) for t in _svc(ctx).failed(ctx.args.limit)]
    ctx.emit(rows, lambda: ctx.table(rows, ["id", "provider", "status", "amount_text", "failure_code",
                                            "failure_message", "created_at"]))
    return 0


def cmd_retry(ctx: CliContext) -> int:
    t = _on_loop(ctx, lambda svc: svc.retry_async(ctx.args.txn, ctx.args.payment_method))
    ctx.emit(txn_row(t), lambda: _print_txn(ctx, t, "retried"))
    return 0 if t.status not in FAILED_STATUSES else 1


def cmd_import(ctx: CliContext) -> int:
    r = _svc(ctx).import_file(ctx.args.provider, ctx.args.file)
    data = r.to_dict()

    def human() -> None:
        ctx.print(f"{r.provider.value}: {r.added} added, {r.duplicates} duplicates, {r.rejected} rejected")

    ctx.emit(data, human)
    # the good rows are kept; every rejected one is named on stderr and makes the exit code 1, every time
    for e in r.errors:
        ctx.error(f"rejected: {e}")
    return 1 if r.rejected else 0


def cmd_health(ctx: CliContext) -> int:
    rows = _svc(ctx).provider_health()
    ctx.emit(rows, lambda: ctx.table(rows, ["provider", "state", "consecutive_failures", "last_error",
                                            "unhealthy_until"]))
    return 0





def cmd_products(ctx: CliContext) -> int:
    rows = _svc(ctx).products()
    ctx.emit(rows, lambda: ctx.table(rows, ["provider", "product_id", "name", "template_id", "price_id"]))
    return 0


def cmd_link(ctx: CliContext) -> int:
    a = ctx.args
    moved = _svc(ctx).link_product(a.provider, a.product, a.template)
    data = {"provider": a.provider, "product_id": a.product, "template_id": a.template, "sales_moved": moved}
    ctx.emit(data, lambda: ctx.print(f"{a.provider} product {a.product} -> template {a.template} "
                                     f"({moved} earlier sale{'s' if moved != 1 else ''} now count for it)"))
    return 0


def cmd_create_product(ctx: CliContext) -> int:
    a = ctx.args
    data = _on_loop(ctx, lambda svc: svc.create_template_product_async(a.template, a.name, a.amount, a.currency))
    ctx.emit(data, lambda: ctx.print(f"created {data['product_id']} for template {a.template}"))
    return 0


def cmd_listen(ctx: CliContext) -> int:
    import time

    svc = _svc(ctx)
    if not ctx.services.settings.credential("kofi"):
        raise UserError("store your Ko-fi verification token first: `trendforge credentials set kofi`")
    listener = svc.start_kofi_listener(ctx.args.port)
    ctx.print(f"listening for Ko-fi webhooks on {listener.url}")
    ctx.out.flush()
    try:
        deadline = None if ctx.args.seconds is None else time.monotonic() + ctx.args.seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        listener.stop()
    return 0
