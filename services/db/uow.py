"""Unit of work: one SQLAlchemy session and transaction per service operation.

Events recorded in a unit of work are written in the same transaction as the change and
dispatched on the bus only after commit. Leaving the block without ``commit()`` rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from app.events import Event
from services.events.correlation import stamp

if TYPE_CHECKING:
    from services.events.bus import EventBus


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Any], bus: EventBus) -> None:
        self._session_factory = session_factory
        self._bus = bus
        self._session: Session | None = None
        self._events: list[Event] = []
        self.committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self._events = []
        self.committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self.committed:
                session.rollback()
                self._events = []
        finally:
            session.close()
            self._session = None

    def record(self, *events: Event) -> None:
        """Queue events to be written with this transaction and published after commit."""
        self._events.extend(stamp(e) for e in events)

    def commit(self) -> list[Event]:
        session = self.session
        events, self._events = self._events, []
        self._bus.store.append(session, events)
        session.commit()
        self.committed = True
        self._bus.dispatch(events)
        return events

    def rollback(self) -> None:
        self.session.rollback()
        self._events = []


UnitOfWorkFactory = Callable[[], UnitOfWork]
