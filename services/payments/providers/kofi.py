"""Ko-fi: no pull API, only webhooks. Import saved webhook bodies and CSV exports.

A webhook body is ``application/x-www-form-urlencoded`` with one field ``data`` holding a
JSON string; Ko-fi resends the same ``message_id`` until it gets a 200, so imports
de-duplicate on it. The payload's ``verification_token`` is compared in constant time.
An optional listener on 127.0.0.1 takes webhooks directly.
"""

from __future__ import annotations

import hmac
import json
import urllib.parse
from dataclasses import dataclass
from typing import TypedDict

from app.errors import UserError
from app.jsonvalue import JsonObject, JsonShapeError, JsonValue, as_object, opt_array, opt_bool, opt_str
from app.payments.model import Provider, TxnStatus
from app.payments.money import normalize_currency, to_minor
from app.timeutil import parse_iso
from app.untrusted import csv_rows, load_json
from services.payments.providers.base import RemoteTxn


@dataclass(frozen=True)
class KofiPayload:
    """One webhook payload, or one CSV row (CSV rows carry no token)."""

    data: JsonObject
    from_csv: bool = False


class KofiWebhook(TypedDict):
    """The fields of a Ko-fi webhook payload the ledger reads; ``None``: absent or null."""

    message_id: str
    kofi_transaction_id: str | None
    timestamp: str
    type: str  # Donation | Subscription | Commission | Shop Order
    amount: str  # a decimal string ("3.00")
    currency: str
    tier_name: str | None
    is_subscription_payment: bool
    shop_items: list[str]  # each item's direct_link_code


def read_webhook(d: JsonObject) -> KofiWebhook:
    """``d`` as a webhook payload: a field missing or of another type is one line naming it."""
    message_id = (opt_str(d, "message_id") or "").strip()
    if not message_id:
        raise UserError("a Ko-fi payload has no message_id")
    try:
        items = [as_object(i, "each of shop_items") for i in opt_array(d, "shop_items") or []]
        return KofiWebhook(
            message_id=message_id, kofi_transaction_id=opt_str(d, "kofi_transaction_id"),
            timestamp=opt_str(d, "timestamp") or "", type=opt_str(d, "type") or "Donation",
            amount=opt_str(d, "amount") or "", currency=opt_str(d, "currency") or "",
            tier_name=opt_str(d, "tier_name"), is_subscription_payment=opt_bool(d, "is_subscription_payment"),
            shop_items=[opt_str(i, "direct_link_code", "a shop item's direct_link_code") or "" for i in items])
    except JsonShapeError as exc:
        raise UserError(f"Ko-fi payload {message_id!r}: {exc}") from None


def token_ok(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def parse_body(body: str) -> JsonObject:
    """One webhook body: ``data=<json>`` form-encoded, or the bare JSON object."""
    text = body.strip()
    if text.startswith("{"):
        value = load_json(text, "the Ko-fi payload")
    else:
        fields = urllib.parse.parse_qs(text, keep_blank_values=True)
        if "data" not in fields:
            raise UserError("not a Ko-fi webhook body: expected a form field 'data' holding JSON")
        value = load_json(fields["data"][0], "the Ko-fi payload")
    if not isinstance(value, dict):
        raise UserError("a Ko-fi webhook payload must be a JSON object")
    return value


_CSV_FIELDS = {
    "date": ("DateTime (UTC)", "DateTime", "Date", "timestamp", "Timestamp"),
    "amount": ("Received", "Amount", "amount", "Given"),
    "currency": ("Currency", "currency"),
    "id": ("TransactionId", "Transaction ID", "kofi_transaction_id", "Reference", "message_id"),
    "type": ("TransactionType", "Type", "type"),
    "item": ("Item", "tier_name", "Tier"),
}


def _pick(row: dict[str, str], name: str) -> str:
    for key in _CSV_FIELDS[name]:
        if row.get(key, "").strip():
            return row[key].strip()
    return ""


def parse_file(text: str) -> list[KofiPayload]:
    """Webhook bodies (a JSON object or list, JSON lines, or ``data=...`` lines) or a CSV export."""
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        return []
    if stripped.startswith("["):
        items = load_json(stripped, "the Ko-fi file")
        if not isinstance(items, list):
            raise UserError("expected a JSON list of Ko-fi payloads")
        return [KofiPayload(_as_payload(i)) for i in items]
    if stripped.startswith("{"):
        try:
            return [KofiPayload(_as_payload(load_json(stripped, "the Ko-fi file")))]
        except json.JSONDecodeError:
            return [KofiPayload(parse_body(line)) for line in stripped.splitlines() if line.strip()]
    first = stripped.splitlines()[0]
    if first.startswith("data="):
        return [KofiPayload(parse_body(line)) for line in stripped.splitlines() if line.strip()]
    headers, rows = csv_rows(stripped, "the Ko-fi CSV")
    missing = [n for n in ("date", "amount", "id") if not any(h in headers for h in _CSV_FIELDS[n])]
    if missing:
        raise UserError(f"not a Ko-fi webhook file or CSV export: no column for {', '.join(missing)} "
                        f"(found: {', '.join(headers[:10])})")
    return [KofiPayload(dict[str, JsonValue](row), from_csv=True) for row in rows]


def _as_payload(item: JsonValue) -> JsonObject:
    if isinstance(item, str):
        return parse_body(item)
    if not isinstance(item, dict):
        raise UserError("a Ko-fi payload must be a JSON object")
    body = item.get("data")
    if isinstance(body, str):
        return parse_body("data=" + urllib.parse.quote(body))
    return item


def payload_to_txn(p: KofiPayload) -> RemoteTxn:
    d = p.data
    if p.from_csv:
        row = {k: v if isinstance(v, str) else "" for k, v in d.items()}
        currency = normalize_currency(_pick(row, "currency") or "USD")
        ident = _pick(row, "id")
        if not ident:
            raise UserError("a Ko-fi CSV row has no transaction id")
        kind = (_pick(row, "type") or "donation").lower().replace(" ", "_")
        return RemoteTxn(provider=Provider.KOFI, provider_id=ident, status=TxnStatus.SUCCEEDED,
                         amount=to_minor(_pick(row, "amount"), currency), currency=currency,
                         created_at=parse_iso(_pick(row, "date").replace(" ", "T")), kind=kind[:16],
                         description=_pick(row, "item") or kind)
    w = read_webhook(d)
    currency = normalize_currency(w["currency"])
    kind = w["type"]
    desc = kind
    if w["tier_name"]:
        desc = f"{kind}: {w['tier_name']}"
    elif w["shop_items"]:
        desc = f"{kind}: " + ", ".join(w["shop_items"])
    return RemoteTxn(
        provider=Provider.KOFI, provider_id=w["kofi_transaction_id"] or w["message_id"],
        status=TxnStatus.SUCCEEDED, amount=to_minor(w["amount"], currency), currency=currency,
        created_at=parse_iso(w["timestamp"]), kind=kind.lower().replace(" ", "_")[:16],
        description=desc, message_id=w["message_id"],
        meta={"is_subscription_payment": w["is_subscription_payment"], "shop_items": list[JsonValue](w["shop_items"])},
    )
