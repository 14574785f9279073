"""Events committed by other processes (the CLI while the GUI runs, other machines), published here too.

On SQLite, ``PRAGMA data_version`` changes on a connection when another connection commits; a
timer reads it on a connection of its own (a few microseconds, no lock). On PostgreSQL every
commit that appends events sends their ids on a channel (see :mod:`services.events.store`); a
connection of our own LISTENs, and a socket notifier wakes this object when one arrives (no
polling). Either way, only then are the new events read (``seq`` after the last one seen) and
dispatched on this process's bus, so panels refresh as they do for local changes. Events this
process dispatched itself are skipped.

This is also how one process hears another's requests: a cancel asked for by another process, an
approval given there, arrive as their events. On SQLite no cross-process signal exists, so the
``data_version`` look on a timer is the one poll in the app, kept here; everything else waits on
the events it publishes. One watcher serves a bus (:meth:`OtherWriters.of`), held by whoever needs
it (the GUI for its lifetime; the workflow engine and the build runner while they own live jobs).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QTimer, Signal
from sqlalchemy.engine.url import make_url

from services.config import AppConfig
from services.db.backend import Backend, backend_of
from services.events.bus import EventBus
from services.events.store import NOTIFY_CHANNEL, EventQuery, StoredEvent

log = logging.getLogger(__name__)


class OtherWriters(QObject):
    """``start()`` watches; ``noticed`` carries how many events other processes committed."""

    noticed = Signal(int)

    def __init__(self, db_path: Path, bus: EventBus, interval_ms: int = 1000, parent: QObject | None = None,
                 *, before_publish: Callable[[], object] | None = None, listen_url: str | None = None) -> None:
        """``before_publish``: runs before the events go out (drop cached reads that they made stale).

        ``listen_url``: a PostgreSQL store to LISTEN on instead of watching the SQLite file ``db_path``.
        """
        super().__init__(parent)
        self._before_publish: list[Callable[[], object]] = [before_publish] if before_publish is not None else []
        self._holders = 0
        self._db_path = db_path
        self._listen_url = listen_url
        self._bus = bus
        self._conn: sqlite3.Connection | None = None
        self._pg: Any = None  # psycopg.Connection, LISTENing
        self._notifier: QSocketNotifier | None = None
        self._version = -1
        self._last_seq = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    @classmethod
    def for_store(cls, config: AppConfig, bus: EventBus, parent: QObject | None = None,
                  *, before_publish: Callable[[], object] | None = None) -> OtherWriters:
        """The watcher that suits the store ``config`` names (the one place that decides it)."""
        if config.database_url is None:
            return cls(config.db_path, bus, parent=parent, before_publish=before_publish)
        url = make_url(config.database_url)
        if backend_of(url) is Backend.POSTGRESQL:
            return cls(config.db_path, bus, parent=parent, before_publish=before_publish,
                       listen_url=config.database_url)
        return cls(Path(str(url.database)), bus, parent=parent, before_publish=before_publish)

    @classmethod
    def of(cls, config: AppConfig, bus: EventBus) -> OtherWriters:
        """The one watcher of ``bus`` (a child of it, made on first use); :meth:`hold` it to watch."""
        watcher = bus.findChild(cls)
        if watcher is None:
            watcher = cls.for_store(config, bus, parent=bus)
        return watcher

    @staticmethod
    def can_watch() -> bool:
        """A Qt application exists to run the watch's timer or socket notifier."""
        return QCoreApplication.instance() is not None

    def add_before_publish(self, fn: Callable[[], object]) -> None:
        self._before_publish.append(fn)

    def hold(self) -> None:
        """Watch until every holder has let go (:meth:`release`)."""
        self._holders += 1
        self.start()

    def release(self) -> None:
        self._holders = max(0, self._holders - 1)
        if self._holders == 0:
            self.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive() or self._notifier is not None

    def start(self) -> None:
        if self.active:
            return
        self._last_seq = self._bus.store.last_seq()
        if self._listen_url is not None:
            self._listen(self._listen_url)
            return
        self._conn = sqlite3.connect(self._db_path, timeout=0.05, isolation_level=None, check_same_thread=False)
        self._version = self._data_version()
        self._timer.start()

    def _listen(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._pg = psycopg.connect(conninfo, autocommit=True)
        self._pg.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._notifier = QSocketNotifier(self._pg.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)

    def stop(self) -> None:
        self._timer.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    def _data_version(self) -> int:
        assert self._conn is not None
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def check(self) -> int:
        """Publish what other processes committed since the last look; returns how many events."""
        if self._pg is not None:
            return self._on_notified()
        if self._conn is None:
            return 0
        try:
            version = self._data_version()
        except sqlite3.Error as exc:  # a busy or damaged file: look again at the next tick
            log.debug("data_version: %s", exc)
            return 0
        if version == self._version:
            return 0
        self._version = version
        return self._publish_new()

    def _on_notified(self) -> int:
        """Take the notifications that arrived; read and publish if any names an event not dispatched here."""
        import psycopg

        try:
            ids = [n.payload for n in self._pg.notifies(timeout=0)]
        except psycopg.Error as exc:  # the server went away: say so once, and stop listening
            log.warning("no longer notified of other machines' changes: %s", exc)
            self.stop()
            return 0
        wanted = [i for batch in ids for i in batch.split(",") if i == "*" or not self._bus.dispatched_here(i)]
        if "*" in wanted:
            return self._publish_new()
        # by id, not "after the last seq": concurrent writers commit in another order than their seqs
        return self._publish(self._bus.store.by_ids(wanted))

    def _publish_new(self) -> int:
        return self._publish(self._bus.history(EventQuery(after_seq=self._last_seq, oldest_first=True, limit=5000)))

    def _publish(self, rows: list[StoredEvent]) -> int:
        if not rows:
            return 0
        self._last_seq = max(self._last_seq, rows[-1].seq)
        fresh = [r.event for r in rows if not self._bus.dispatched_here(r.event.id)]
        if fresh:
            for before in self._before_publish:
                before()
            self._bus.dispatch(fresh)
            self.noticed.emit(len(fresh))
        return len(fresh)

    def _on_timer_timeout(self) -> None:
        self.check()

    def _on_notifier_activated(self) -> None:
        self.check()
