"""Which runs a gone process left in flight: the one rule that recovery acts on and health counts.

A run owned on this machine is left when its process is gone; one owned by another machine (a shared
store) only once that machine's lease on it has lapsed. The engine's recovery marks these runs
interrupted; the health report counts them beside the runs already interrupted, without building the
engine, so ``trendforge health`` says the same before and after the workflows area is started.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workflows.status import ACTIVE_RUN_STATUSES
from services.context import ServiceContext
from services.leases import Leases, run_resource
from services.processes import owner_alive, owner_elsewhere
from services.workflows.models import WorkflowRunRecord as RunRec


def run_leases(ctx: ServiceContext) -> Leases:
    """The leases on the runs of ``ctx``'s store (the engine holds its runs' with these)."""
    return Leases(ctx.engine, ctx.clock, ttl_s=ctx.config.lease_seconds)


@dataclass(frozen=True)
class Orphans:
    ids: list[str]  # every run left in flight, in the store's order
    lapsed: frozenset[str]  # of those, the runs of another machine whose lease lapsed (to be taken over)


def find_orphans(session: Session, leases: Leases, *, live: Collection[str] = ()) -> Orphans:
    """The active runs whose owner is gone; ``live``: runs this process drives (never orphans)."""
    me = os.getpid()
    rows = [r for r in session.execute(
        select(RunRec.id, RunRec.owner_pid, RunRec.owner_token)
        .where(RunRec.status.in_([s.value for s in ACTIVE_RUN_STATUSES]))).all() if r.id not in live]
    elsewhere = [r.id for r in rows if owner_elsewhere(r.owner_token)]
    held = leases.holders(session, [run_resource(i) for i in elsewhere])
    lapsed = frozenset(i for i in elsewhere if (lease := held.get(run_resource(i))) is not None and leases.lapsed(lease))
    ids = [r.id for r in rows if r.id in lapsed or r.owner_pid == me or not owner_alive(r.owner_pid, r.owner_token)]
    return Orphans(ids, lapsed)
