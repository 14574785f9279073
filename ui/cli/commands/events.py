"""events list|replay."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.timeutil import parse_iso, to_iso
from ui.cli.context import CliContext

if TYPE_CHECKING:
    pass


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("events", parents=[parent], help="the persisted event history")
    esub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = esub.add_parser("list", parents=[parent], help="list events, newest first")
    s.add_argument("--type", action="append", default=[], help="event type, or a prefix like 'build.*' (repeatable)")
    s.add_argument("--source")
    s.add_argument("--since", help="ISO time, e.g. 2026-11-01T00:00:00Z")
    s.add_argument("--until")
    s.add_argument("--correlation")
    s.add_argument("--search")
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_list)
    s = esub.add_parser("replay", parents=[parent], help="re-deliver stored events to subscribers")
    s.add_argument("--since", required=True)
    s.add_argument("--type", action="append", default=[])
    s.set_defaults(func=cmd_replay)
    s = esub.add_parser("counts", parents=[parent], help="event counts by type")
    s.add_argument("--since")
    s.set_defaults(func=cmd_counts)


def cmd_list(ctx: CliContext) -> int:
    a = ctx.args
    from services.events.store import EventQuery, event_to_dict

    query = EventQuery(
        types=a.type,
        source=a.source,
        since=parse_iso(a.since) if a.since else None,
        until=parse_iso(a.until) if a.until else None,
        correlation_id=a.correlation,
        search=a.search,
        limit=a.limit,
    )
    rows = [event_to_dict(r) for r in ctx.services.events.history(query)]

    def human() -> None:
        ctx.table(rows, ["seq", "timestamp", "type", "source", "correlation_id", "payload"])

    ctx.emit(rows, human)
    return 0


def cmd_replay(ctx: CliContext) -> int:
    since = parse_iso(ctx.args.since)
    n = ctx.services.events.replay(since, ctx.args.type)
    ctx.emit({"replayed": n, "since": to_iso(since)}, lambda: ctx.print(f"replayed {n} events since {to_iso(since)}"))
    return 0


def cmd_counts(ctx: CliContext) -> int:
    since = parse_iso(ctx.args.since) if ctx.args.since else None
    counts = ctx.services.events.counts_by_type(since)
    rows = [{"type": k, "count": v} for k, v in sorted(counts.items())]
    ctx.emit(counts, lambda: ctx.table(rows, ["type", "count"]))
    return 0
