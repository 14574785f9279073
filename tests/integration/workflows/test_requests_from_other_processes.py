"""What another process asks of a run (cancel it, approve its step) reaches the run's owner as an
event, through the bus's one watcher of other writers, not through a poll of the run's row."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import QApplication

from app.workflows.definition import parse_definition
from services.actions import ActionContext
from services.bootstrap import Services
from services.events.store import EventQuery
from services.workflows.service import WorkflowsService
from tests.support.qasync_loop import app_loop


def _on_qasync(qapp: QApplication, go: Callable[[], Coroutine[Any, Any, str]]) -> str:
    with app_loop(qapp) as loop:
        return loop.run_until_complete(go())


def _services(make_services: Callable[..., Services]) -> tuple[WorkflowsService, WorkflowsService]:
    owner, other = make_services().workflows, make_services().workflows  # two engines, two buses, one store
    assert isinstance(owner, WorkflowsService) and isinstance(other, WorkflowsService)
    return owner, other


def test_a_cancel_asked_for_elsewhere_arrives_as_its_event_and_the_owner_cancels(
        make_services: Callable[..., Services], qapp: QApplication) -> None:
    owner, other = _services(make_services)

    @owner.registry.action("long", idempotent=True)
    async def long(actx: ActionContext) -> dict[str, Any]:
        await asyncio.sleep(30)
        return {}

    heard: list[str] = []
    owner.ctx.bus.subscribe("workflow.cancel_requested", lambda e: heard.append(e.type))

    async def go() -> str:
        run_id = owner.engine.start(parse_definition({"name": "c", "steps": [{"name": "long", "action": "long"}]}), {})
        while owner.show(run_id)["steps"][0]["status"] != "running":
            await asyncio.sleep(0.01)
        assert other.cancel(run_id) == "requested"
        await asyncio.wait_for(owner.wait(run_id), 15)
        return run_id

    run_id = _on_qasync(qapp, go)
    assert owner.show(run_id)["status"] == "cancelled"
    assert heard == ["workflow.cancel_requested"]  # published on the owner's bus by its watcher
    stored = [s.event.type for s in owner.ctx.bus.history(EventQuery(correlation_id=run_id, oldest_first=True))]
    assert stored.index("workflow.cancel_requested") < stored.index("workflow.cancelled")


def test_an_approval_given_elsewhere_wakes_the_waiting_step(
        make_services: Callable[..., Services], qapp: QApplication) -> None:
    owner, other = _services(make_services)
    defn = parse_definition({"name": "a", "steps": [{"name": "ok", "action": "wait_for_approval"}]})

    async def go() -> str:
        run_id = owner.engine.start(defn, {})
        while owner.show(run_id)["steps"][0]["status"] != "running" or owner.engine.signal(run_id, "ok") is not None:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the step is waiting on its event, not on a timer
        other.engine.approve(run_id, "ok", note="ship it")
        await asyncio.wait_for(owner.wait(run_id), 15)
        return run_id

    run_id = _on_qasync(qapp, go)
    assert owner.show(run_id)["status"] == "succeeded"
