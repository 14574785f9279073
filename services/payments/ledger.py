"""The ledger (SQLite or PostgreSQL): upserts de-duplicated by provider id, the daily rollup, queries.

Every change to a ledger row goes through :class:`Ledger`, which keeps
``payment_daily_totals`` in step within the same transaction (the row's contribution
before the change is subtracted and its contribution after is added).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Table,
    and_,
    bindparam,
    column,
    delete,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.payments.model import (
    CAPTURED_STATUSES,
    Provider,
    SummaryBy,
    SummaryRow,
    Transaction,
    TxnStatus,
    status_after_refund,
)
from app.search import fts_query
from services.db import fulltext
from services.db.backend import Backend, backend_of, dialect_insert, is_sqlite
from services.db.bulk import insert_rows
from services.payments.models import (
    BalanceRecord,
    DailyTotalRecord,
    MonthlyTotalRecord,
    ProductRecord,
    RefundRecord,
    SyncCursorRecord,
    TransactionRecord,
)

if TYPE_CHECKING:  # what providers return: the ledger's writers take them, its readers (Home, the panel) need none
    from services.payments.providers.base import (
        CursorState,
        RemoteBalance,
        RemoteChargeUpdate,
        RemoteProduct,
        RemoteRefund,
        RemoteTxn,
    )

Key = tuple[str, str, str, str]  # day, provider, template_id ('' for none), currency
Contribution = tuple[Key, tuple[int, int, int, int]] | None

COUNTED_REFUNDS = ("succeeded", "recorded", "pending")


def day_of(value: datetime) -> str:
    return value.date().isoformat()  # YYYY-MM-DD, as strftime("%Y-%m-%d") (a fifth of its cost)


def contribution(row: TransactionRecord) -> Contribution:
    if TxnStatus(row.status) not in CAPTURED_STATUSES:
        return None
    key = (row.day, row.provider, row.template_id or "", row.currency)
    return key, (1, row.amount, row.fee or 0, row.refunded_amount or 0)


def _contribution_of(row: dict[str, Any]) -> Contribution:
    """:func:`contribution` of a ledger row held as a dict of its columns."""
    if TxnStatus(row["status"]) not in CAPTURED_STATUSES:
        return None
    key = (row["day"], row["provider"], row["template_id"] or "", row["currency"])
    return key, (1, row["amount"], row["fee"] or 0, row["refunded_amount"] or 0)


def to_domain(row: TransactionRecord | Row[Any]) -> Transaction:
    """The domain transaction of a ledger row (an ORM object, or a row of the table's columns)."""
    return Transaction(
        id=row.id, provider=Provider(row.provider), provider_id=row.provider_id, status=TxnStatus(row.status),
        amount=row.amount, currency=row.currency, fee=row.fee, refunded_amount=row.refunded_amount,
        template_id=row.template_id, product_id=row.product_id, description=row.description or "",
        failure_code=row.failure_code, failure_message=row.failure_message, attempts=row.attempts,
        created_at=row.created_at, updated_at=row.updated_at, meta=dict(row.meta or {}),
    )


_TXN_COLUMNS = tuple(TransactionRecord.__table__.columns)
# what a sync changes in rows it matches (and the rollups need): see Ledger._plain_rows
_PLAIN_COLUMNS = tuple(TransactionRecord.__table__.c[name] for name in (
    "id", "provider", "provider_id", "charge_id", "status", "amount", "currency", "fee", "refunded_amount",
    "template_id", "day"))


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0


class Ledger:
    """Ledger operations inside one unit of work's session."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    # -- rollup -------------------------------------------------------------------------
    def _add(self, c: Contribution, sign: int) -> None:
        if c is None:
            return
        key, values = c
        d = self._deltas[key]
        for i, v in enumerate(values):
            d[i] += sign * v

    def before(self, row: TransactionRecord) -> Contribution:
        return contribution(row)

    def after(self, row: TransactionRecord, before: Contribution) -> None:
        self._add(before, -1)
        self._add(contribution(row), +1)

    def flush_totals(self) -> None:
        rows = [
            {"day": k[0], "provider": k[1], "template_id": k[2], "currency": k[3],
             "count": d[0], "gross": d[1], "fees": d[2], "refunds": d[3]}
            for k, d in self._deltas.items() if any(d)
        ]
        self._deltas.clear()
        if not rows:
            return
        self.session.flush()
        daily: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for r in rows:
            d = daily[(str(r["day"]), str(r["provider"]), str(r["currency"]))]
            for i, name in enumerate(("count", "gross", "fees", "refunds")):
                d[i] += int(r[name])  # type: ignore[call-overload]
        monthly: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for r in rows:
            m = monthly[(str(r["day"])[:7], str(r["provider"]), str(r["template_id"]), str(r["currency"]))]
            for i, name in enumerate(("count", "gross", "fees", "refunds")):
                m[i] += int(r[name])  # type: ignore[call-overload]
        self._upsert(DailyTotalRecord, ["day", "provider", "currency"],
                     [{"day": k[0], "provider": k[1], "currency": k[2], "count": v[0], "gross": v[1], "fees": v[2],
                       "refunds": v[3]} for k, v in daily.items() if any(v)])
        self._upsert(MonthlyTotalRecord, ["month", "provider", "template_id", "currency"],
                     [{"month": k[0], "provider": k[1], "template_id": k[2], "currency": k[3], "count": v[0],
                       "gross": v[1], "fees": v[2], "refunds": v[3]} for k, v in monthly.items() if any(v)])

    def _upsert(self, table: Any, keys: list[str], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        stmt = dialect_insert(self.session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_={name: getattr(table, name) + getattr(stmt.excluded, name) for name in ("count", "gross", "fees",
                                                                                         "refunds")},
        )
        self.session.execute(stmt, rows)

    # -- single rows --------------------------------------------------------------------
    def add(self, row: TransactionRecord) -> TransactionRecord:
        row.day = day_of(row.created_at)
        row.updated_at = self.now
        self.session.add(row)
        self._add(contribution(row), +1)
        return row

    def get(self, txn_id: str) -> TransactionRecord | None:
        return self.session.get(TransactionRecord, txn_id)

    def assign_template(self, provider: Provider, product_id: str, template_id: str, previous: str | None) -> int:
        """Sales of ``product_id`` recorded before it was linked (no template, or the one it was linked to
        before) now count for ``template_id``; the rollups move with them. Returns how many moved."""
        owner: ColumnElement[bool] = TransactionRecord.template_id.is_(None)
        if previous:
            owner = or_(owner, TransactionRecord.template_id == previous)
        rows = self.session.scalars(select(TransactionRecord).where(
            TransactionRecord.provider == provider.value, TransactionRecord.product_id == product_id, owner)).all()
        for row in rows:
            before = self.before(row)
            row.template_id = template_id
            row.updated_at = self.now
            self.after(row, before)
        return len(rows)

    def set_refunded(self, row: TransactionRecord, refunded: int) -> None:
        before = self.before(row)
        refunded = max(0, min(refunded, row.amount))
        if refunded != row.refunded_amount or (TxnStatus(row.status).captured and row.status != status_after_refund(
                row.amount, refunded)):
            row.refunded_amount = refunded
            if TxnStatus(row.status).captured:
                row.status = status_after_refund(row.amount, refunded).value
            row.updated_at = self.now
        self.after(row, before)

    def refunds_total(self, txn_id: str) -> int:
        value = self.session.scalar(
            select(func.coalesce(func.sum(RefundRecord.amount), 0)).where(
                RefundRecord.transaction_id == txn_id, RefundRecord.status.in_(COUNTED_REFUNDS)))
        return int(value or 0)

    # -- batch upserts (sync / import) ------------------------------------------------------
    def _products(self, provider: Provider) -> dict[str, str]:
        rows = self.session.execute(
            select(ProductRecord.product_id, ProductRecord.template_id).where(
                ProductRecord.provider == provider.value, ProductRecord.template_id.is_not(None)))
        return {pid: tid for pid, tid in rows if tid}

    def upsert_txns(self, txns: Sequence[RemoteTxn]) -> UpsertCounts:
        counts = UpsertCounts()
        if not txns:
            return counts
        providers = sorted({t.provider for t in txns}, key=lambda p: p.value)
        if len(providers) > 1:  # each provider's rows are matched and stored under their own provider
            for each in providers:
                part = self.upsert_txns([t for t in txns if t.provider is each])
                counts.added += part.added
                counts.updated += part.updated
            return counts
        provider = providers[0]
        ids = [t.provider_id for t in txns]
        existing: dict[str, TransactionRecord] = {}
        for i in range(0, len(ids), 500):
            for found in self.session.scalars(select(TransactionRecord).where(
                    TransactionRecord.provider == provider.value, TransactionRecord.provider_id.in_(ids[i:i + 500]))):
                existing[found.provider_id or ""] = found
        local_ids = [t.local_id for t in txns if t.local_id and t.provider_id not in existing]
        by_local: dict[str, TransactionRecord] = {}
        if local_ids:
            for hit in self.session.scalars(select(TransactionRecord).where(TransactionRecord.id.in_(local_ids))):
                by_local[hit.id] = hit
        msg_ids = [t.message_id for t in txns if t.message_id and t.provider_id not in existing]
        by_msg: dict[str, TransactionRecord] = {}
        if msg_ids:
            for hit in self.session.scalars(select(TransactionRecord).where(
                    TransactionRecord.provider == provider.value, TransactionRecord.message_id.in_(msg_ids))):
                by_msg[hit.message_id or ""] = hit
        products = self._products(provider) if any(t.product_id and not t.template_id for t in txns) else {}
        pending: dict[str, dict[str, Any]] = {}
        for t in txns:
            template = t.template_id or (products.get(t.product_id) if t.product_id else None)
            row: TransactionRecord | None = existing.get(t.provider_id)
            if row is None and t.local_id:
                cand = by_local.get(t.local_id)
                if cand is not None and cand.provider == provider.value and cand.provider_id in (None, t.provider_id):
                    row = cand
            if row is None and t.message_id:
                row = by_msg.get(t.message_id)
            if row is None:
                if t.provider_id in pending:
                    continue  # the same object twice in one batch
                refunded = min(t.refunded_amount or 0, t.amount)
                status = status_after_refund(t.amount, refunded) if refunded and t.status.captured else t.status
                values = {
                    "id": _new_id(), "provider": provider.value, "provider_id": t.provider_id,
                    "charge_id": t.charge_id, "message_id": t.message_id, "kind": t.kind, "status": status.value,
                    "amount": t.amount, "currency": t.currency, "fee": t.fee or 0, "refunded_amount": refunded,
                    "template_id": template, "product_id": t.product_id, "description": t.description,
                    "payment_method": None, "idempotency_key": None, "failure_code": t.failure_code,
                    "failure_message": t.failure_message, "attempts": 0, "day": day_of(t.created_at),
                    "created_at": t.created_at, "updated_at": self.now, "meta": t.meta or None,
                }
                pending[t.provider_id] = values
                if status.captured:
                    self._add(((day_of(t.created_at), provider.value, template or "", t.currency),
                               (1, t.amount, t.fee or 0, refunded)), +1)
                counts.added += 1
                continue
            if self._update(row, t, template):
                counts.updated += 1
        if pending:
            # new rows as one statement (the ORM's unit of work costs more than the network here, and
            # the search index's trigger flushes once per statement: see services.db.bulk)
            insert_rows(self.session.connection(), TransactionRecord, list(pending.values()))
        return counts

    def _update(self, row: TransactionRecord, t: RemoteTxn, template: str | None) -> bool:
        before = self.before(row)
        status = t.status
        refunded = row.refunded_amount if t.refunded_amount is None else max(row.refunded_amount,
                                                                             min(t.refunded_amount, t.amount))
        if status is TxnStatus.SUCCEEDED and refunded:
            status = status_after_refund(t.amount, refunded)
        if TxnStatus(row.status) in (TxnStatus.PARTIALLY_REFUNDED, TxnStatus.REFUNDED) and status is TxnStatus.SUCCEEDED:
            status = TxnStatus(row.status)  # a refund we know about that the remote object does not show yet
        new: dict[str, Any] = {
            "provider_id": t.provider_id, "status": status.value, "amount": t.amount, "currency": t.currency,
            "refunded_amount": refunded,
            "template_id": row.template_id or template, "product_id": row.product_id or t.product_id,
            "charge_id": t.charge_id or row.charge_id, "message_id": row.message_id or t.message_id,
        }
        if t.fee is not None:
            new["fee"] = t.fee
        if t.description:
            new["description"] = t.description
        if status in (TxnStatus.DECLINED, TxnStatus.FAILED):
            new["failure_code"] = t.failure_code or row.failure_code
            new["failure_message"] = t.failure_message or row.failure_message
        changed = False
        for key, value in new.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        if changed:
            row.updated_at = self.now
        self.after(row, before)
        return changed

    def apply_charges(self, charges: Iterable[RemoteChargeUpdate], provider: Provider) -> int:
        charges = list(charges)
        if not charges:
            return 0
        matched = self._plain_rows(provider, TransactionRecord.provider_id, [c.payment_intent for c in charges])
        rows = {r["provider_id"]: r for r in matched}  # one row per provider id (a unique key)
        changed = 0
        for c in charges:
            row = rows.get(c.payment_intent)
            if row is None:
                continue
            dirty = False
            if row["charge_id"] != c.charge_id:
                row["charge_id"] = c.charge_id
                dirty = True
            if c.amount_refunded > row["refunded_amount"]:
                row["refunded_amount"] = min(c.amount_refunded, row["amount"])
                if TxnStatus(row["status"]).captured:
                    row["status"] = status_after_refund(row["amount"], row["refunded_amount"]).value
                dirty = True
            if dirty:
                row["updated_at"] = self.now
                changed += 1
        self._write_plain_rows(rows.values(), ("charge_id", "refunded_amount", "status"))
        return changed

    # -- plain rows: many ledger rows read and changed without session objects -------------------
    def _plain_rows(self, provider: Provider, column: Any, values: Sequence[str]) -> list[dict[str, Any]]:
        """The rows of ``provider`` whose ``column`` is one of ``values``, as dicts that remember what they
        held: a sync touches thousands, and session objects cost more than the SQL."""
        out: list[dict[str, Any]] = []
        wanted = list(dict.fromkeys(values))
        for i in range(0, len(wanted), 500):
            for r in self.session.execute(select(*_PLAIN_COLUMNS).where(
                    TransactionRecord.provider == provider.value, column.in_(wanted[i:i + 500]))):
                row = dict(r._mapping)
                row["_was"] = dict(row)
                out.append(row)
        return out

    def _write_plain_rows(self, rows: Iterable[dict[str, Any]], names: Sequence[str]) -> None:
        """Store what changed in rows from :meth:`_plain_rows` (one ``executemany``), keeping the rollups in step."""
        changes = []
        for row in rows:
            was = row["_was"]
            if all(row[n] == was[n] for n in names):
                continue
            self._add(_contribution_of(was), -1)
            self._add(_contribution_of(row), +1)
            changes.append({"_id": row["id"], "updated_at": self.now, **{n: row[n] for n in names}})
        if not changes:
            return
        t = TransactionRecord.__table__
        assert isinstance(t, Table)
        self.session.execute(update(t).where(t.c.id == bindparam("_id")).values(
            {n: bindparam(n) for n in (*names, "updated_at")}), changes)
        for change in changes:  # a session object of a changed row is read again from the table
            held = self.session.identity_map.get(Session.identity_key(TransactionRecord, change["_id"]))
            if held is not None:
                self.session.expire(held)

    def upsert_refunds(self, refunds: Sequence[RemoteRefund]) -> UpsertCounts:
        counts = UpsertCounts()
        if not refunds:
            return counts
        provider = refunds[0].provider
        known = {r.provider_refund_id: r for r in self.session.scalars(select(RefundRecord).where(
            RefundRecord.provider == provider.value,
            RefundRecord.provider_refund_id.in_([r.provider_refund_id for r in refunds])))}
        refs = list({r.payment_ref for r in refunds})
        txns: dict[str, TransactionRecord] = {}
        for row in self.session.scalars(select(TransactionRecord).where(
                TransactionRecord.provider == provider.value,
                TransactionRecord.provider_id.in_(refs) | TransactionRecord.charge_id.in_(refs))):
            txns[row.provider_id or ""] = row
            if row.charge_id:
                txns[row.charge_id] = row
        touched: set[str] = set()
        for r in refunds:
            txn = txns.get(r.payment_ref)
            if txn is None:
                continue
            rec = known.get(r.provider_refund_id)
            if rec is None and r.local_id:
                rec = self.session.get(RefundRecord, r.local_id)
                if rec is not None and rec.provider_refund_id not in (None, r.provider_refund_id):
                    rec = None
            status = "succeeded" if r.status in ("succeeded", "pending") else r.status
            if rec is None:
                rec = RefundRecord(id=_new_id(), transaction_id=txn.id, provider=provider.value,
                                   provider_refund_id=r.provider_refund_id, amount=r.amount, currency=r.currency,
                                   status=status, reason=r.reason, created_at=r.created_at)
                self.session.add(rec)
                counts.added += 1
            elif rec.status != status or rec.provider_refund_id != r.provider_refund_id:
                rec.status = status
                rec.provider_refund_id = r.provider_refund_id
                counts.updated += 1
            touched.add(txn.id)
        self.session.flush()
        for txn_id in touched:
            hit = self.session.get(TransactionRecord, txn_id)
            if hit is not None and TxnStatus(hit.status).captured:
                total = self.refunds_total(txn_id)
                if total > hit.refunded_amount:
                    self.set_refunded(hit, total)
        return counts

    def apply_balances(self, balances: Sequence[RemoteBalance]) -> UpsertCounts:
        counts = UpsertCounts()
        if not balances:
            return counts
        provider = balances[0].provider
        stmt = dialect_insert(self.session, BalanceRecord).on_conflict_do_nothing(index_elements=["provider", "provider_id"])
        known = set(self.session.scalars(select(BalanceRecord.provider_id).where(
            BalanceRecord.provider == provider.value,
            BalanceRecord.provider_id.in_([b.provider_id for b in balances]))))
        fresh = [b for b in balances if b.provider_id not in known]
        if fresh:
            self.session.execute(stmt, [
                {"provider": b.provider.value, "provider_id": b.provider_id, "source": b.source, "type": b.type,
                 "amount": b.amount, "fee": b.fee, "net": b.net, "currency": b.currency, "status": b.status,
                 "created_at": b.created_at} for b in fresh])
            counts.added = len(fresh)
        fees = {b.source: b.fee for b in balances if b.source and b.type in ("charge", "payment")}
        if fees:
            rows = self._plain_rows(provider, TransactionRecord.charge_id, list(fees))
            for row in rows:
                fee = fees[row["charge_id"]]
                if row["fee"] != fee:
                    row["fee"] = fee
                    counts.updated += 1
            self._write_plain_rows(rows, ("fee",))
        return counts

    def upsert_products(self, products: Sequence[RemoteProduct]) -> int:
        n = 0
        for p in products:
            rec = self.session.get(ProductRecord, (p.provider.value, p.product_id))
            if rec is None:
                rec = ProductRecord(provider=p.provider.value, product_id=p.product_id, name=p.name,
                                    template_id=p.template_id, price_id=p.price_id, amount=p.amount,
                                    currency=p.currency, meta=p.meta or None, updated_at=self.now)
                self.session.add(rec)
                n += 1
            else:
                rec.name = p.name or rec.name
                rec.template_id = rec.template_id or p.template_id
                rec.price_id = p.price_id or rec.price_id
                rec.amount = p.amount if p.amount is not None else rec.amount
                rec.currency = p.currency or rec.currency
                rec.meta = p.meta or rec.meta
                rec.updated_at = self.now
        return n

    # -- removal ---------------------------------------------------------------------------
    def forget(self, where: ColumnElement[bool]) -> int:
        """Remove the transactions ``where`` selects (their search entries go by trigger) and take
        their part out of the rollups in the same transaction. Returns how many went."""
        for r in self.session.execute(select(*_PLAIN_COLUMNS).where(where)):
            self._add(_contribution_of(dict(r._mapping)), -1)
        self.flush_totals()
        gone = self.session.execute(delete(TransactionRecord).where(where).execution_options(synchronize_session=False))
        return int(getattr(gone, "rowcount", 0) or 0)

    # -- cursors ---------------------------------------------------------------------------
    def cursors(self, provider: Provider) -> dict[str, CursorState]:
        from services.payments.providers.base import CursorState

        return {r.resource: CursorState(r.cursor, r.last_created) for r in self.session.scalars(
            select(SyncCursorRecord).where(SyncCursorRecord.provider == provider.value))}

    def save_cursor(self, provider: Provider, resource: str, cursor: str | None, last_created: int | None) -> None:
        rec = self.session.get(SyncCursorRecord, (provider.value, resource))
        if rec is None:
            rec = SyncCursorRecord(provider=provider.value, resource=resource)
            self.session.add(rec)
        rec.cursor = cursor
        rec.last_created = last_created
        rec.updated_at = self.now


def _new_id() -> str:
    return uuid.uuid4().hex


# -- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TxnFilter:
    provider: str | None = None
    status: Sequence[str] = ()
    template_id: str | None = None
    currency: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    limit: int = 200
    offset: int = 0

    def clauses(self, *, broad_search: bool = False, backend: Backend = Backend.SQLITE,
                window: NewestWindow | None = None) -> list[ColumnElement[bool]]:
        t = TransactionRecord
        out: list[ColumnElement[bool]] = []
        if self.provider:
            out.append(t.provider == self.provider)
        if self.status:
            out.append(t.status.in_(list(self.status)))
        if self.template_id:
            out.append(t.template_id == self.template_id)
        if self.currency:
            out.append(t.currency == self.currency)
        if self.since:
            out.append(t.created_at >= self.since)
        if self.until:
            out.append(t.created_at < self.until)
        if self.search:
            match = fulltext.query_text(backend, self.search)
            if match is None:  # punctuation only: no word to look up, match it as typed
                like = f"%{self.search}%"
                out.append(t.id.like(like) | t.provider_id.like(like) | t.description.like(like))
            elif backend is Backend.POSTGRESQL:
                out.append(fulltext.match_clause(backend, "payment_transactions", "", match))
            else:
                # +rowid: a broad search must not drive the loop (see list_statement)
                out.append((_PLUS_ROWID if broad_search else _ROWID).in_(_fts_rowids(match, window=window)))
        if window is not None:
            out.append(t.created_at > window.since)
        return out


_ROWID: ColumnElement[int] = literal_column("payment_transactions.rowid")
_PLUS_ROWID: ColumnElement[int] = literal_column("+payment_transactions.rowid")  # the same value, never an index for the planner
_FTS_TABLE = table("payment_transactions_fts", column("rowid"))
# a search matching more rows than this is broad: walk the ledger newest first and stop after a page
BROAD_SEARCH = 2000


# a broad search first looks among the newest rows: this many, or 16 pages if that is more
NEWEST_WINDOW = 4096


@dataclass(frozen=True)
class NewestWindow:
    """The ledger's newest rows under a filter (``created_at > since``) and the span of their rowids.

    A broad term's matches are a long list in the full-text index (75,000 of 1M rows for a common
    word); reading it whole was most of a search's time. Only the part of the list within the
    span is read. The span is narrow when rows were stored in or against time order, as syncs store
    them; the answer is the same either way.
    """

    since: datetime
    lowest_rowid: int
    highest_rowid: int


def _fts_rowids(match: str, limit: int | None = None, window: NewestWindow | None = None) -> Any:
    stmt = select(_FTS_TABLE.c.rowid).where(text("payment_transactions_fts MATCH :match").bindparams(match=match))
    if window is not None:
        stmt = stmt.where(_FTS_TABLE.c.rowid.between(window.lowest_rowid, window.highest_rowid))
    return stmt.limit(limit) if limit is not None else stmt


def newest_window(session: Session, f: TxnFilter, size: int) -> NewestWindow | None:
    """The rows newer than the oldest of the newest ``size`` that ``f`` keeps without its search
    (all of them are among those ``size``), or None when ``f`` keeps no more than ``size`` rows."""
    t = TransactionRecord
    newest = (select(_ROWID.label("r"), t.created_at).where(*replace(f, search=None).clauses())
              .order_by(t.created_at.desc()).limit(size).subquery())
    low, high, since, n = session.execute(
        select(func.min(newest.c.r), func.max(newest.c.r), func.min(newest.c.created_at), func.count())).one()
    return NewestWindow(since, int(low), int(high)) if n >= size else None


def _is_broad(session: Session, f: TxnFilter) -> bool:
    match = fts_query(f.search or "")
    if match is None or not is_sqlite(session):  # PostgreSQL's planner weighs the GIN index itself
        return False
    found = session.scalar(select(func.count()).select_from(_fts_rowids(match, BROAD_SEARCH + 1).subquery()))
    return int(found or 0) > BROAD_SEARCH


def list_statement(f: TxnFilter, *, broad: bool = False, backend: Backend = Backend.SQLITE,
                   window: NewestWindow | None = None) -> Any:
    """One page, newest first. A narrow search reads its matches from the full-text index and sorts
    them; a broad one (``broad``) walks the ledger's ``created_at`` order with the matches as a set
    to probe (``+rowid`` keeps the planner from driving the loop with them), within ``window`` if
    one is given."""
    clauses = f.clauses(broad_search=broad, backend=backend, window=window)
    return (select(TransactionRecord).where(and_(True, *clauses))
            .order_by(TransactionRecord.created_at.desc(), TransactionRecord.id.desc())
            .limit(_page_size(f)).offset(max(0, f.offset)))


def _page_size(f: TxnFilter) -> int:
    return max(1, min(f.limit, 100_000))


def list_txns(session: Session, f: TxnFilter) -> list[Transaction]:
    """One page as plain rows, not ORM objects: a page of 1,000 spent two thirds of its time making
    and reading session-tracked objects that nobody changes."""
    broad = _is_broad(session, f)
    if broad:
        page = _page_in_newest_window(session, f, max(NEWEST_WINDOW, 16 * (max(0, f.offset) + _page_size(f))))
        if page is not None:
            return page
    return _read_page(session, list_statement(f, broad=broad, backend=backend_of(session)))


def _read_page(session: Session, stmt: Any) -> list[Transaction]:
    return [to_domain(r) for r in session.execute(stmt.with_only_columns(*_TXN_COLUMNS))]


def _page_in_newest_window(session: Session, f: TxnFilter, size: int) -> list[Transaction] | None:
    """A broad search's page from the newest ``size`` rows, or None when they hold too few matches
    to fill it (a row outside the window is older than every row in it, so a full page is exact)."""
    window = newest_window(session, f, size)
    page = _read_page(session, list_statement(f, broad=True, window=window))
    return page if window is None or len(page) >= _page_size(f) else None


def count_txns(session: Session, f: TxnFilter) -> int:
    stmt = select(func.count()).select_from(TransactionRecord).where(and_(True, *f.clauses(backend=backend_of(session))))
    return int(session.scalar(stmt) or 0)


def _month_aligned(value: str | None) -> bool:
    return value is None or value.endswith("-01")


def summary(session: Session, by: SummaryBy, *, provider: str | None = None, currency: str | None = None,
            template_id: str | None = None, since: str | None = None, until: str | None = None) -> list[SummaryRow]:
    """Revenue by ``by`` and currency (``since``/``until``: YYYY-MM-DD, until exclusive).

    Reads the rollups: by day from the daily one, the rest from the monthly one (when the
    range is whole months); other combinations use the ledger's indexes with the filters.
    """
    if by is SummaryBy.DAY and template_id is None:
        d: Any = DailyTotalRecord
        key: Any = d.day
        lo, hi = since, until
        col: Any = d.day
    elif by is not SummaryBy.DAY and _month_aligned(since) and _month_aligned(until):
        d = MonthlyTotalRecord
        key = {
            SummaryBy.PROVIDER: d.provider,
            SummaryBy.TEMPLATE: d.template_id,
            SummaryBy.CURRENCY: d.currency,
            SummaryBy.MONTH: d.month,
        }[by]
        lo, hi = (since[:7] if since else None), (until[:7] if until else None)
        col = d.month
    else:
        return summary_from_ledger(session, by, provider=provider, currency=currency, template_id=template_id,
                                   since=since, until=until)
    stmt = select(key.label("k"), d.currency, func.sum(d.count), func.sum(d.gross), func.sum(d.fees),
                  func.sum(d.refunds))
    if provider:
        stmt = stmt.where(d.provider == provider)
    if currency:
        stmt = stmt.where(d.currency == currency)
    if template_id:
        stmt = stmt.where(d.template_id == template_id)
    if lo:
        stmt = stmt.where(col >= lo)
    if hi:
        stmt = stmt.where(col < hi)
    stmt = stmt.group_by(text("k"), d.currency).order_by(text("k"), d.currency)
    return [SummaryRow(str(k), str(c), int(n or 0), int(gross or 0), int(fees or 0), int(refunds or 0))
            for k, c, n, gross, fees, refunds in session.execute(stmt) if n]


def summary_from_ledger(session: Session, by: SummaryBy, *, provider: str | None = None, currency: str | None = None,
                        template_id: str | None = None, since: str | None = None,
                        until: str | None = None) -> list[SummaryRow]:
    """The same figures straight from the ledger (a check, a bench baseline, and odd filter combinations)."""
    t = TransactionRecord
    key: Any = {
        SummaryBy.PROVIDER: t.provider,
        SummaryBy.TEMPLATE: func.coalesce(t.template_id, ""),
        SummaryBy.CURRENCY: t.currency,
        SummaryBy.DAY: t.day,
        SummaryBy.MONTH: func.substr(t.day, 1, 7),
    }[by]
    stmt = (select(key.label("k"), t.currency, func.count(), func.sum(t.amount), func.sum(t.fee),
                   func.sum(t.refunded_amount))
            .where(t.status.in_([s.value for s in CAPTURED_STATUSES])))
    if provider:
        stmt = stmt.where(t.provider == provider)
    if currency:
        stmt = stmt.where(t.currency == currency)
    if template_id:
        stmt = stmt.where(t.template_id == template_id)
    if since:
        stmt = stmt.where(t.day >= since)
    if until:
        stmt = stmt.where(t.day < until)
    stmt = stmt.group_by(text("k"), t.currency).order_by(text("k"), t.currency)
    return [SummaryRow(str(k), str(c), int(n), int(g or 0), int(f or 0), int(r or 0))
            for k, c, n, g, f, r in session.execute(stmt)]
