"""health, metrics, doctor."""

from __future__ import annotations

import argparse

from services.db.preflight import StoreError
from services.system import offline_checks
from ui.cli.context import CliContext


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("health", parents=[parent], help="service health (exit 1 when any is down)")
    p.set_defaults(func=cmd_health)
    p = sub.add_parser("metrics", parents=[parent], help="per-operation timing and cache metrics")
    p.set_defaults(func=cmd_metrics)
    p = sub.add_parser("doctor", parents=[parent], help="check data dir, database, keyring and Android tools")
    p.set_defaults(func=cmd_doctor)


def cmd_health(ctx: CliContext) -> int:
    report = ctx.services.health()

    def human() -> None:
        ctx.print(f"TrendForge {report['version']}: {report['status']}  (data: {report['data_dir']})")
        for s in report["services"]:
            ctx.print(f"  {s['name']:<12} {s['state']:<9} {s['detail']}")

    ctx.emit(report, human)
    return 1 if report["status"] == "down" else 0


def cmd_metrics(ctx: CliContext) -> int:
    ctx.services.health()
    data = ctx.services.metrics()

    def human() -> None:
        ctx.print(f"events stored: {data['events_total']}")
        for name, snap in data["services"].items():
            cache = snap["cache"]
            ctx.print(f"{name}: cache hit rate {cache['hit_rate']:.0%} ({cache['hits']}/{cache['hits'] + cache['misses']})")
            for op, st in snap["operations"].items():
                ctx.print(f"  {op:<24} n={st['count']:<6} errors={st['errors']:<4} p50={st['p50_ms']}ms p95={st['p95_ms']}ms")

    ctx.emit(data, human)
    return 0


def cmd_doctor(ctx: CliContext) -> int:
    try:
        checks = ctx.services.doctor()
        store_error: StoreError | None = None
    except StoreError as exc:  # report on everything else, then end with the one line about the store
        store_error = exc
        checks = offline_checks(ctx.config, exc)

    def human() -> None:
        for c in checks:
            mark = "ok  " if c.ok else "MISS"
            hint = f"  -> {c.hint}" if c.hint else ""
            ctx.print(f"[{mark}] {c.name:<16} {c.detail}{hint}")

    ctx.emit([c.to_dict() for c in checks], human)
    if store_error is not None:
        raise store_error
    return 0
