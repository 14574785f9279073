"""The event bus: typed subscriptions, Qt signals after commit, persisted history, replay.

Events are persisted by the unit of work in the transaction that makes the change, and
handed to :meth:`EventBus.dispatch` only after that transaction commits: a rolled-back
change publishes nothing, and a committed one is never lost.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine

from app.events import Event
from services.events.correlation import stamp
from services.events.store import EventQuery, EventStore, StoredEvent
from services.qt_imports import skip_feature_source_scans

skip_feature_source_scans()  # the modules imported from here on are not read by PySide6's import hook

log = logging.getLogger(__name__)

Handler = Callable[[Event], object]
Subscription = type[Event] | str
RECENT_IDS = 20_000
# the signals' signatures, for QObject.receivers
_PUBLISHED = "2published(PyObject)"
_REPLAYED = "2replayed(PyObject)"


class EventBus(QObject):
    """In-process bus. ``published`` is emitted once per committed event, in order.

    ``batch_published`` is emitted once per committed batch (the list of its events), before they
    are delivered one by one: a subscriber that only needs to know that something was written (a
    cache to drop) takes it, and costs a batch of 1,000 events one call instead of 1,000.
    """

    published = Signal(object)
    batch_published = Signal(object)
    replayed = Signal(object)
    subscriber_failed = Signal(object, str)
    _deliver = Signal(object, bool)

    def __init__(self, engine: Engine, store: EventStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._store = store
        self._by_class: dict[type[Event], list[Handler]] = {}
        self._by_pattern: dict[str, list[Handler]] = {}
        self._resolved: dict[tuple[type[Event], str], list[Handler]] = {}
        self._home_thread = threading.get_ident()
        # ids of the events this process dispatched lately (at least the last RECENT_IDS), so one it
        # reads back from the store (OtherWriters) is not published twice: two generations of sets,
        # the older dropped when the newer fills (a set's update per batch, no eviction per id)
        self._recent: set[str] = set()
        self._recent_older: set[str] = set()
        self._recent_lock = threading.Lock()
        # emitted only off the bus's thread (dispatch), so the automatic connection queues it to this thread;
        # naming Qt.ConnectionType would build PySide6's whole Qt namespace (~25 ms of every CLI command)
        self._deliver.connect(self._dispatch_here)

    @property
    def store(self) -> EventStore:
        return self._store

    # -- subscriptions ----------------------------------------------------------
    def subscribe(self, what: Subscription, handler: Handler) -> Callable[[], None]:
        """Subscribe to an event class (and its subclasses), ``"*"``, or a ``"build.*"`` prefix.

        Returns a function that removes the subscription.
        """
        if isinstance(what, str):
            self._by_pattern.setdefault(what, []).append(handler)
            bucket = self._by_pattern[what]
        else:
            self._by_class.setdefault(what, []).append(handler)
            bucket = self._by_class[what]

        self._resolved.clear()

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                bucket.remove(handler)
            self._resolved.clear()

        return unsubscribe

    def _handlers_for(self, event: Event) -> list[Handler]:
        key = (type(event), event.type)
        cached = self._resolved.get(key)
        if cached is None:
            cached = self._resolved[key] = self._resolve(event)
        return cached

    def _resolve(self, event: Event) -> list[Handler]:
        found: list[Handler] = []
        for cls in type(event).__mro__:
            found.extend(self._by_class.get(cls, ()))
        for pattern, handlers in self._by_pattern.items():
            if pattern == "*" or pattern == event.type or (
                pattern.endswith("*") and event.type.startswith(pattern[:-1])
            ):
                found.extend(handlers)
        return found

    # -- publishing -------------------------------------------------------------
    def publish(self, event: Event) -> Event:
        """Persist one event in its own transaction, then dispatch it."""
        return self.publish_batch([event])[0]

    def publish_batch(self, events: Iterable[Event]) -> list[Event]:
        """Persist many events in one transaction, then dispatch them in order."""
        stamped = [stamp(e) for e in events]
        with self._engine.begin() as conn:
            self._store.append(conn, stamped)
        self.dispatch(stamped)
        return stamped

    def dispatch(self, events: Sequence[Event], *, replay: bool = False) -> None:
        """Deliver already-committed events to subscribers and the Qt signal.

        Subscribers always run on the bus's own (GUI) thread: a commit made on a worker thread
        hands its events over through a queued signal, so no handler touches widgets off-thread.
        """
        if not replay:
            ids = [event.id for event in events]
            with self._recent_lock:
                self._recent.update(ids)
                if len(self._recent) >= RECENT_IDS:
                    self._recent_older, self._recent = self._recent, set()
        if threading.get_ident() != self._home_thread:
            self._deliver.emit(list(events), replay)
            return
        self._dispatch_here(events, replay)

    def dispatched_here(self, event_id: str) -> bool:
        """Did this process dispatch the event (lately)?"""
        with self._recent_lock:
            return event_id in self._recent or event_id in self._recent_older

    def _dispatch_here(self, events: Sequence[Event], replay: bool = False) -> None:
        if not events:
            return
        if not replay:
            self.batch_published.emit(tuple(events))
        # the per-event signal only where someone listens (checked once a batch): an emit nobody
        # receives still costs PySide6 several microseconds, a third of a batched publication's cost
        signal = self.replayed if replay else self.published
        emit = signal.emit if self.receivers(_REPLAYED if replay else _PUBLISHED) else None
        handlers_for = self._handlers_for
        for event in events:
            for handler in handlers_for(event):
                try:
                    handler(event)
                except Exception as exc:  # a failing subscriber must not stop the others
                    log.exception("event subscriber %r failed on %s", handler, event.type)
                    self.subscriber_failed.emit(event, f"{type(exc).__name__}: {exc}")
            if emit is not None:
                emit(event)

    # -- history and replay -------------------------------------------------------
    def history(self, query: EventQuery | None = None) -> list[StoredEvent]:
        return self._store.history(query or EventQuery())

    def counts_by_type(self, since: datetime | None = None) -> dict[str, int]:
        return self._store.counts_by_type(since)

    def replay(self, since: datetime, types: Sequence[str] = (), *, batch: int = 1000) -> int:
        """Re-deliver stored events from ``since`` (oldest first) to subscribers. Returns the count."""
        total = 0
        last_seq = 0
        while True:
            rows = self._store.history(
                EventQuery(types=types, since=since, after_seq=last_seq, limit=batch, oldest_first=True)
            )
            if not rows:
                return total
            self.dispatch([r.event for r in rows], replay=True)
            total += len(rows)
            last_seq = rows[-1].seq
