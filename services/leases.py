"""Leases in the database: who runs a build (or a run) across machines, kept alive by heartbeats.

The process that starts the work takes its lease in the same transaction (:meth:`Leases.take`)
and renews every lease it holds on a heartbeat (:meth:`Leases.renew`); finishing releases it. A
process that finds active work whose owner is gone may take it over once the lease has lapsed:
:meth:`Leases.take_over` is one conditional UPDATE, so of several machines recovering at once
exactly one gets it. On one machine the owner's pid still answers sooner (services.processes).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, String, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.timeutil import Clock
from services.db.backend import dialect_insert
from services.db.base import Base, UTCDateTime
from services.processes import process_start

DEFAULT_TTL_S = 30.0  # a machine silent this long has lost its work to another
HEARTBEAT_FRACTION = 3  # renewed three times per lease: a missed beat or two is no takeover


class LeaseRecord(Base):
    __tablename__ = "leases"

    resource: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime())



def this_host() -> str:
    """The machine name recorded with leases and artifacts (TRENDFORGE_HOST, default the hostname)."""
    return (os.environ.get("TRENDFORGE_HOST", "").strip() or socket.gethostname())[:120]


def holder_token(host: str | None = None) -> str:
    """``host:pid:start``: this process, told apart from a later one that reuses its pid."""
    pid = os.getpid()
    return f"{host or this_host()}:{pid}:{process_start(pid)}"


def build_resource(build_id: str) -> str:
    return f"build:{build_id}"


def run_resource(run_id: str) -> str:
    return f"run:{run_id}"


class Leases:
    def __init__(self, engine: Engine, clock: Clock, *, ttl_s: float = DEFAULT_TTL_S,
                 host: str | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self.ttl = timedelta(seconds=ttl_s)
        self.host = host or this_host()
        self.holder = holder_token(self.host)

    @property
    def heartbeat_ms(self) -> int:
        return max(200, int(self.ttl.total_seconds() * 1000 / HEARTBEAT_FRACTION))

    def take(self, session: Session | Connection, resource: str) -> None:
        """Hold ``resource`` from now on (with the caller's transaction)."""
        now = self._clock()
        values = {"resource": resource, "holder": self.holder, "host": self.host,
                  "expires_at": now + self.ttl, "renewed_at": now}
        stmt = dialect_insert(session, LeaseRecord).values(**values)
        session.execute(stmt.on_conflict_do_update(index_elements=["resource"], set_=values))

    def renew(self) -> int:
        """Push every lease this process holds ``ttl`` into the future (one statement); how many."""
        now = self._clock()
        with self._engine.begin() as conn:
            result = conn.execute(update(LeaseRecord).where(LeaseRecord.holder == self.holder)
                                  .values(expires_at=now + self.ttl, renewed_at=now))
            return int(result.rowcount or 0)

    def release(self, target: Session | Connection, resource: str) -> None:
        target.execute(delete(LeaseRecord).where(LeaseRecord.resource == resource,
                                                 LeaseRecord.holder == self.holder))

    def forget(self, target: Session | Connection, resource: str) -> None:
        """Drop ``resource``'s lease whoever holds it: the work it guarded has been recovered and ended."""
        target.execute(delete(LeaseRecord).where(LeaseRecord.resource == resource))

    def holders(self, session: Session, resources: Iterable[str]) -> dict[str, LeaseRecord]:
        wanted = list(resources)
        if not wanted:
            return {}
        rows = session.scalars(select(LeaseRecord).where(LeaseRecord.resource.in_(wanted)))
        return {r.resource: r for r in rows}

    def lapsed(self, lease: LeaseRecord) -> bool:
        return lease.expires_at <= self._clock()

    def take_over(self, session: Session | Connection, resource: str, *, from_holder: str | None = None) -> bool:
        """Take a lapsed lease (with the caller's transaction); False if it is held, renewed meanwhile, or taken.

        ``from_holder``: a holder known to be dead (a gone pid on this machine): its lease is taken at once.
        """
        now = self._clock()
        gone = LeaseRecord.expires_at <= now
        if from_holder is not None:
            gone = or_(gone, LeaseRecord.holder == from_holder)
        result = session.execute(
            update(LeaseRecord)
            .where(LeaseRecord.resource == resource, gone)
            .values(holder=self.holder, host=self.host, expires_at=now + self.ttl, renewed_at=now)
            .execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0))
