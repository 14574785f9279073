"""The event log (SQLite or PostgreSQL): append in the caller's transaction, query history, count."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Table, func, literal_column, or_, select, table, text
from sqlalchemy.orm import Session

from app.events import Event, rebuild_event
from app.remedies import ListEvents
from app.search import fts_query
from app.timeutil import to_iso
from services.db import fulltext
from services.db.backend import Backend, backend_of, driver_sql
from services.db.base import UTCDateTime
from services.db.ids import resolve_id
from services.db.models import EventRecord

_TABLE: Table = EventRecord.__table__  # type: ignore[assignment]
# PostgreSQL: every commit that appends events notifies this channel with their ids (not their bodies:
# a payload holds 8000 bytes at most); other machines' windows read the events from the table
NOTIFY_CHANNEL = "trendforge_events"
NOTIFY_MAX_IDS = 200  # 200 ids of 32 characters fit; a longer batch sends "*" (read everything new)
_TS = UTCDateTime()
_FTS = table("events_fts")
_FTS_ROWID: ColumnElement[int] = literal_column("events_fts.rowid")
# the rows the search index has not seen yet, added in one statement (see 0002_events_search)
_INDEX_TAIL = (
    "INSERT INTO events_fts(rowid, type, source, id, payload) "
    "SELECT seq, type, source, id, payload FROM events WHERE seq > (SELECT last_seq FROM events_fts_progress WHERE id = 1)"
)
_MARK_INDEXED = "UPDATE events_fts_progress SET last_seq = (SELECT coalesce(max(seq), 0) FROM events) WHERE id = 1"


@dataclass(frozen=True)
class EventQuery:
    """Filters for :meth:`EventStore.history`. ``types`` may end in ``.*`` (a prefix)."""

    types: Sequence[str] = ()
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    correlation_id: str | None = None
    search: str | None = None
    limit: int = 100
    before_seq: int | None = None
    after_seq: int | None = None
    oldest_first: bool = False


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    event: Event


_INSERT = (
    "INSERT INTO events (id, type, source, timestamp, correlation_id, causation_id, payload, actor) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# ensure_ascii=False: the search index sees "café", not "caf\\u00e9"
_encoder = json.JSONEncoder(separators=(",", ":"), sort_keys=True, default=str, ensure_ascii=False)


def _encoder_once() -> Callable[[Any], str]:
    """``_encoder.encode``, with the C encoder built once instead of at every call (the hot path of
    every publication: building it was half the cost of a small payload). Payloads are JSON-ready
    (``Event.payload``), so the circular-reference check is left out; a build without the C
    accelerator takes the plain encoder."""
    make = getattr(json.encoder, "c_make_encoder", None)
    basestring = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or basestring is None:
        return _encoder.encode
    e = _encoder
    chunks = make(None, e.default, basestring, None, e.key_separator, e.item_separator, e.sort_keys, e.skipkeys,
                  e.allow_nan)

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    return encode


_dumps = _encoder_once()


def _timestamp_text(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores, for the UTC value (``YYYY-MM-DD HH:MM:SS.ffffff``).

    ``isoformat`` rather than ``strftime``: it is the hot path of every publication and costs a
    third as much (a test checks both give the same text). An event's own clock is UTC: its text is
    the aware value's without the ``+00:00``.
    """
    if value.tzinfo is UTC:
        return value.isoformat(sep=" ", timespec="microseconds")[:-6]
    if value.tzinfo is not None:
        if value.utcoffset():
            value = value.astimezone(UTC)
        value = value.replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def stored_rows(events: Iterable[Event], actor: str | None) -> list[tuple[Any, ...]]:
    """The rows the store inserts for ``events`` (in ``_INSERT``'s column order); ``actor`` for
    those that name no one."""
    timestamp_text, dumps = _timestamp_text, _dumps
    return [(e.id, e.type, e.source, timestamp_text(e.timestamp), e.correlation_id, e.causation_id,
             dumps(e.payload()), e.actor or actor) for e in events]


def stored_row(event: Event, actor: str | None) -> tuple[Any, ...]:
    """The row the store inserts for ``event`` (see :func:`stored_rows`)."""
    return stored_rows((event,), actor)[0]


class EventStore:
    def __init__(self, engine: Engine, actor: str | None = None) -> None:
        """``actor``: who this process acts for, recorded on every event it writes that names no one else."""
        self._engine = engine
        self.actor = actor
        self._backend = backend_of(engine)
        self._insert = driver_sql(engine, _INSERT)

    # -- writing --------------------------------------------------------------
    def append(self, target: Session | Connection, events: Iterable[Event]) -> None:
        """Insert events with the caller's transaction (no commit here)."""
        rows = stored_rows(events, self.actor)
        if not rows:
            return
        conn = target.connection() if isinstance(target, Session) else target
        # the driver's executemany: the hot path of every publication (see bench/foundation_bench.py)
        conn.exec_driver_sql(self._insert, rows)
        if self._backend is Backend.POSTGRESQL:  # delivered to listeners when (and only if) this commits
            ids = [r[0] for r in rows]
            payload = ",".join(ids) if len(ids) <= NOTIFY_MAX_IDS else "*"
            conn.exec_driver_sql("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, payload))

    # -- reading --------------------------------------------------------------
    def refresh_search_index(self) -> None:
        """Index the events appended since the last search (one short write transaction; SQLite only).

        PostgreSQL indexes each event as it is written (a generated column, see services/db/fulltext.py).
        """
        if self._backend is not Backend.SQLITE:
            return
        with self._engine.begin() as conn:
            conn.exec_driver_sql(_INDEX_TAIL)
            conn.exec_driver_sql(_MARK_INDEXED)

    def history_statement(self, query: EventQuery) -> Any:
        """The SELECT behind :meth:`history` (plans are checked by EXPLAIN QUERY PLAN tests).

        Newest first walks an index that ends in ``seq`` (type, source, correlation, or the
        table itself) and stops after one page. A search walks the full-text index in rowid
        (= seq) order as the outer loop and probes each event by its primary key, so it too
        stops after one page instead of matching every row first.
        """
        t = _TABLE.c
        match = fulltext.query_text(self._backend, query.search or "")
        if match is not None and self._backend is Backend.POSTGRESQL:
            seq: Any = t.seq
            stmt = select(_TABLE).where(fulltext.match_clause(self._backend, "events", "events_fts", match))
        elif match is not None:
            seq = _FTS_ROWID
            stmt = (select(_TABLE).select_from(_FTS.join(_TABLE, t.seq == _FTS_ROWID))
                    .where(text("events_fts MATCH :match").bindparams(match=match)))
        else:
            seq = t.seq
            stmt = select(_TABLE)
        # type names and sources are lower case by convention; accept "Build.*" or "Trends" as typed
        wanted = [x.strip().lower() for x in query.types if x.strip()]
        if wanted:
            exact = [x for x in wanted if not x.endswith("*")]
            prefixes = [x[:-1] for x in wanted if x.endswith("*")]
            conds: list[ColumnElement[bool]] = []
            if exact:
                conds.append(t.type.in_(exact))
            conds.extend(t.type.startswith(p, autoescape=True) for p in prefixes)
            stmt = stmt.where(or_(*conds))
        if query.source:
            stmt = stmt.where(t.source == query.source.strip().lower())
        if query.since is not None:
            stmt = stmt.where(t.timestamp >= _TS.process_bind_param(query.since, None))  # type: ignore[arg-type]
        if query.until is not None:
            stmt = stmt.where(t.timestamp <= _TS.process_bind_param(query.until, None))  # type: ignore[arg-type]
        if query.correlation_id:
            stmt = stmt.where(t.correlation_id == query.correlation_id)
        if query.before_seq is not None:
            stmt = stmt.where(seq < query.before_seq)
        if query.after_seq is not None:
            stmt = stmt.where(seq > query.after_seq)
        stmt = stmt.order_by(seq.asc() if query.oldest_first else seq.desc())
        if query.limit > 0:
            stmt = stmt.limit(query.limit)
        return stmt

    def resolve_correlation(self, given: str) -> str:
        """A correlation id typed in full or as a unique prefix; one no event carries is kept (it matches none)."""
        with self._engine.connect() as conn:
            return resolve_id(conn, _TABLE.c.correlation_id, given, what="correlation", missing_ok=True,
                              remedy=ListEvents())

    def history(self, query: EventQuery) -> list[StoredEvent]:
        if fts_query(query.search or "") is not None:
            self.refresh_search_index()
        stmt = self.history_statement(query)
        with self._engine.connect() as conn:
            return [self._rebuild(r) for r in conn.execute(stmt).mappings()]

    def by_ids(self, ids: Sequence[str]) -> list[StoredEvent]:
        """The stored events with these ids, oldest first (those not stored are left out)."""
        if not ids:
            return []
        stmt = select(_TABLE).where(_TABLE.c.id.in_(list(ids))).order_by(_TABLE.c.seq)
        with self._engine.connect() as conn:
            return [self._rebuild(r) for r in conn.execute(stmt).mappings()]

    @staticmethod
    def _rebuild(row: Any) -> StoredEvent:
        ts = row["timestamp"]
        if isinstance(ts, str):
            ts = datetime.fromisoformat(ts)
        ev = rebuild_event(
            row["type"],
            row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"]),
            id=row["id"],
            timestamp=_TS.process_result_value(ts, None),  # type: ignore[arg-type]
            source=row["source"],
            correlation_id=row["correlation_id"],
            causation_id=row["causation_id"],
            actor=row.get("actor"),
        )
        return StoredEvent(seq=row["seq"], event=ev)

    def counts_by_type(self, since: datetime | None = None) -> dict[str, int]:
        t = _TABLE.c
        stmt = select(t.type, func.count()).group_by(t.type)
        if since is not None:
            stmt = stmt.where(t.timestamp >= _TS.process_bind_param(since, None))  # type: ignore[arg-type]
        with self._engine.connect() as conn:
            return {str(k): int(v) for k, v in conn.execute(stmt)}

    def count(self) -> int:
        return self.last_seq()

    def last_seq(self) -> int:
        """The newest event's sequence number (0: none yet)."""
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.max(_TABLE.c.seq))).scalar() or 0)

    def types(self) -> list[str]:
        with self._engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(select(_TABLE.c.type).distinct().order_by(_TABLE.c.type))]


def event_to_dict(stored: StoredEvent) -> dict[str, Any]:
    e = stored.event
    return {
        "seq": stored.seq,
        "id": e.id,
        "type": e.type,
        "source": e.source,
        "timestamp": to_iso(e.timestamp),
        "correlation_id": e.correlation_id,
        "causation_id": e.causation_id,
        "actor": e.actor,
        "payload": e.payload(),
    }
