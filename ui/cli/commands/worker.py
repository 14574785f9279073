"""``trendforge worker [--queue main|builds]``: a Temporal worker of the studio (team mode).

It runs the studio's workflow runs and their steps on this machine, with this machine's
services: its store, its Android toolchain, its keyring. ``--queue builds`` takes only the
builds (a build box: the toolchain and the signing key with its password in its own keyring);
``--queue main`` only the rest; by default both. Ctrl+C or SIGTERM stops it; a step it was
running is retried on another worker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

from ui.cli.context import CliContext

QUEUES = ("main", "builds")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("worker", parents=[parent], help="run workflow steps for the studio's Temporal (team mode)")
    p.add_argument("--queue", action="append", choices=QUEUES, metavar="QUEUE",
                   help="main (runs and most steps) or builds (toolchain + signing key); repeatable; default both")
    p.set_defaults(func=cmd_worker)


def cmd_worker(ctx: CliContext) -> int:
    from services.workflows.temporal.config import QueueKind, temporal_config
    from services.workflows.temporal.worker import serve
    from ui.cli.loop import run_on_loop

    services = ctx.services
    config = temporal_config(services.settings.get, os.environ)
    registry = services.workflows.registry
    queues = [QueueKind(q) for q in ctx.args.queue] if ctx.args.queue else list(QueueKind)

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda _s, _f: loop.call_soon_threadsafe(stop.set))

        def ready(names: list[str]) -> None:
            ctx.note(f"worker on {config.where}, task queues {', '.join(names)}; Ctrl+C stops it")

        ticker = asyncio.ensure_future(_let_signals_in(stop))
        try:
            await serve(config, services.ctx, registry, queues, stop, ready)
        finally:
            ticker.cancel()

    run_on_loop(go)
    ctx.note("worker stopped")
    return 0


async def _let_signals_in(stop: asyncio.Event) -> None:
    """Python runs a signal's handler only when it next runs Python code in the main thread; under Qt's event
    loop that may be never. A short timer keeps the main thread coming back, so SIGTERM/Ctrl+C stop the worker."""
    while not stop.is_set():
        await asyncio.sleep(0.25)
