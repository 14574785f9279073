"""A Temporal worker: polls the studio's task queues and runs the generic workflow and its steps.

``main`` runs the workflow tasks and every step but the builds; ``builds`` runs the builds
area's steps (the machine needs the Android toolchain and the signing key in its own keyring).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection
from datetime import timedelta

from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from services.actions import ActionRegistry
from services.context import ServiceContext
from services.workflows.temporal.activities import StepActivities
from services.workflows.temporal.config import HEARTBEAT_EVERY, QueueKind, TemporalConfig
from services.workflows.temporal.gateway import connect
from services.workflows.temporal.workflow import TrendForgeRun, TrendForgeUndo


async def serve(config: TemporalConfig, ctx: ServiceContext, registry: ActionRegistry, queues: Collection[QueueKind],
                stop: asyncio.Event, ready: Callable[[list[str]], None] = lambda _names: None) -> None:
    """Poll ``queues`` until ``stop`` is set; ``ready(queue names)`` once every worker polls."""
    client = await connect(config)
    acts = StepActivities(ctx, registry)
    # a step's heartbeats reach Temporal at once: a cancel reaches the step within a second or two
    throttle = timedelta(seconds=HEARTBEAT_EVERY)
    workers: list[Worker] = []
    if QueueKind.MAIN in queues:
        workers.append(Worker(
            client, task_queue=config.queue(QueueKind.MAIN), workflows=[TrendForgeRun, TrendForgeUndo], activities=acts.all(),
            workflow_runner=SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default),
            max_heartbeat_throttle_interval=throttle, default_heartbeat_throttle_interval=throttle,
        ))
    if QueueKind.BUILDS in queues:
        workers.append(Worker(client, task_queue=config.queue(QueueKind.BUILDS),
                              activities=[acts.run_step, acts.compensate_step],
                              max_heartbeat_throttle_interval=throttle, default_heartbeat_throttle_interval=throttle))
    async with contextlib.AsyncExitStack() as stack:
        for worker in workers:
            await stack.enter_async_context(worker)
        ready([w.task_queue for w in workers])
        await stop.wait()
