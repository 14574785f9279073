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
from typing import Any

from app.errors import UserError
from app.payments.model import Provider, TxnStatus
from app.payments.money import normalize_currency, to_minor
from app.timeutil import parse_iso
from app.untrusted import csv_rows, load_json
from services.payments.providers.base import RemoteTxn


@dataclass(frozen=True)
class KofiPayload:
    """One webhook payload, or one CSV row (CSV rows carry no token)."""

    data: dict[str, Any]
    from_csv: bool = False


def token_ok(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def parse_body(body: str) -> dict[str, Any]:
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
    return [KofiPayload(dict(row), from_csv=True) for row in rows]


def _as_payload(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return parse_body(item)
    if isinstance(item, dict) and isinstance(item.get("data"), str):
        return parse_body("data=" + urllib.parse.quote(item["data"]))
    if not isinstance(item, dict):
        raise UserError("a Ko-fi payload must be a JSON object")
    return item


def payload_to_txn(p: KofiPayload) -> RemoteTxn:
    d = p.data
    if p.from_csv:
        row = {k: (v or "") for k, v in d.items() if isinstance(k, str)}
        currency = normalize_currency(_pick(row, "currency") or "USD")
        ident = _pick(row, "id")
        if not ident:
            raise UserError("a Ko-fi CSV row has no transaction id")
        kind = (_pick(row, "type") or "donation").lower().replace(" ", "_")
        return RemoteTxn(provider=Provider.KOFI, provider_id=ident, status=TxnStatus.SUCCEEDED,
                         amount=to_minor(_pick(row, "amount"), currency), currency=currency,
                         created_at=parse_iso(_pick(row, "date").replace(" ", "T")), kind=kind[:16],
                         description=_pick(row, "item") or kind)
    message_id = str(d.get("message_id") or "").strip()
    if not message_id:
        raise UserError("a Ko-fi payload has no message_id")
    currency = normalize_currency(str(d.get("currency") or ""))
    kind = str(d.get("type") or "Donation")
    items = d.get("shop_items") or []
    desc = kind
    if d.get("tier_name"):
        desc = f"{kind}: {d['tier_name']}"
    elif items:
        desc = f"{kind}: " + ", ".join(str(i.get("direct_link_code", "")) for i in items if isinstance(i, dict))
    return RemoteTxn(
        provider=Provider.KOFI, provider_id=str(d.get("kofi_transaction_id") or message_id),
        status=TxnStatus.SUCCEEDED, amount=to_minor(str(d.get("amount") or ""), currency), currency=currency,
        created_at=parse_iso(str(d.get("timestamp") or "")), kind=kind.lower().replace(" ", "_")[:16],
        description=desc, message_id=message_id,
        meta={"is_subscription_payment": bool(d.get("is_subscription_payment")),
              "shop_items": [i.get("direct_link_code") for i in items if isinstance(i, dict)]},
    )
