"""Recovery paths in one process: a 'crash' is the engine's tasks dying with nothing more written
(``shutdown``), and a restart is a new app on the same files (start-up marks the run interrupted)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.errors import ConflictError
from app.remedies import CompensateRun, RerunRun
from app.workflows.definition import parse_definition
from services.actions import ActionContext, Param

DEF = {
    "name": "rec",
    "steps": [
        {"name": "a", "action": "effect", "inputs": {"tag": "a"}, "compensation": {"action": "undo_effect", "inputs": {"tag": "a"}}},
        {"name": "b", "action": "effect", "inputs": {"tag": "b"}, "compensation": {"action": "undo_effect", "inputs": {"tag": "b"}}},
        {"name": "c", "action": "boom"},
    ],
}


def _register(wf: Any, log: list[str], *, block_on: str | None = None, undo_idempotent: bool = True) -> None:
    @wf.registry.action("effect", Param("tag", str), idempotent=False, replace=True)
    async def effect(actx: ActionContext, tag: str) -> dict[str, Any]:
        log.append(tag)
        if tag == block_on:
            await asyncio.sleep(60)
        return {"tag": tag}

    @wf.registry.action("undo_effect", Param("tag", str), idempotent=undo_idempotent, replace=True)
    async def undo_effect(actx: ActionContext, tag: str) -> dict[str, Any]:
        log.append(f"undo:{tag}")
        if f"undo:{tag}" == block_on:
            await asyncio.sleep(60)
        return {}

    @wf.registry.action("boom", idempotent=True, replace=True)
    def boom(actx: ActionContext) -> dict[str, Any]:
        raise RuntimeError("boom")


def _crash_during(make_services: Any, log: list[str], block_on: str, **kw: Any) -> tuple[Any, str]:
    first = make_services()
    wf = first.workflows
    _register(wf, log, block_on=block_on, **kw)

    async def go() -> str:
        run_id = wf.engine.create_run(parse_definition(DEF), {})
        wf.engine._spawn(run_id)
        while block_on not in log:
            await asyncio.sleep(0.01)
        await wf.engine.shutdown()  # the process dies: nothing more is written
        return str(run_id)

    run_id = asyncio.run(go())
    second = make_services()
    wf2 = second.workflows
    return wf2, run_id


def _finish(wf: Any, start: Any) -> None:
    async def go() -> None:
        run_id = start()
        await wf.wait(run_id)

    asyncio.run(go())


def test_resume_with_force_reruns_a_non_idempotent_step(make_services: Any) -> None:
    log: list[str] = []
    wf, run_id = _crash_during(make_services, log, "b")
    _register(wf, log)
    assert wf.show(run_id)["status"] == "interrupted"
    with pytest.raises(ConflictError, match="not idempotent"):
        wf.resume(run_id)
    _finish(wf, lambda: wf.resume(run_id, force=True))
    d = wf.show(run_id)
    # b ran again (forced), then c failed, so a and b were undone in reverse
    assert log == ["a", "b", "b", "undo:b", "undo:a"]
    assert d["status"] == "compensated" and d["steps"][1]["attempts"] == 2


def test_a_crash_during_compensation_resumes_the_compensation(make_services: Any) -> None:
    log: list[str] = []
    wf, run_id = _crash_during(make_services, log, "undo:b")
    _register(wf, log)
    d = wf.show(run_id)
    assert d["status"] == "interrupted" and d["phase"] == "compensate"
    assert [s["status"] for s in d["steps"]] == ["succeeded", "compensating", "failed"]
    _finish(wf, lambda: wf.resume(run_id))
    assert log == ["a", "b", "undo:b", "undo:b", "undo:a"]  # the idempotent undo of b ran again, then a's
    assert wf.show(run_id)["status"] == "compensated"


def test_a_non_idempotent_compensation_in_flight_needs_force(make_services: Any) -> None:
    log: list[str] = []
    wf, run_id = _crash_during(make_services, log, "undo:b", undo_idempotent=False)
    _register(wf, log, undo_idempotent=False)
    with pytest.raises(ConflictError, match="not idempotent") as refused:
        wf.resume(run_id)
    assert refused.value.remedy == CompensateRun(run_id, force=True)
    _finish(wf, lambda: wf.compensate(run_id, force=True))
    assert wf.show(run_id)["status"] == "compensated"
    assert log[-2:] == ["undo:b", "undo:a"]


def test_cancel_an_interrupted_run_and_rerun_it_with_force(make_services: Any) -> None:
    log: list[str] = []
    wf, run_id = _crash_during(make_services, log, "b")
    _register(wf, log)
    assert wf.cancel(run_id) == "cancelled"
    d = wf.show(run_id)
    assert d["status"] == "cancelled" and [s["status"] for s in d["steps"]] == ["succeeded", "cancelled", "pending"]
    # b was in flight (may have taken effect) and is not idempotent: a re-run from b needs --force
    with pytest.raises(ConflictError, match=r"b already ran .* not idempotent") as refused:
        wf.rerun(run_id, "b")
    assert refused.value.remedy == RerunRun(run_id, "b", force=True)
    with pytest.raises(ConflictError, match="cannot be reused"):
        wf.rerun(run_id, "c", force=True)

    async def go() -> str:
        new_id = wf.rerun(run_id, "b", force=True)
        await wf.wait(new_id)
        return str(new_id)

    new_id = asyncio.run(go())
    assert wf.show(new_id)["steps"][0]["reused"] is True
    assert log.count("a") == 1  # a was never run again


def test_a_crash_after_the_last_undo_still_ends_compensated(make_services: Any) -> None:
    """Every undo was recorded, the final status was not: resuming must not call it plain 'failed'."""
    log: list[str] = []
    wf, run_id = _crash_during(make_services, log, "undo:a")
    _register(wf, log)
    from sqlalchemy import update

    from services.workflows.models import WorkflowStepRecord

    with wf.ctx.engine.begin() as conn:  # as if undo:a had been recorded just before the crash
        conn.execute(update(WorkflowStepRecord).where(WorkflowStepRecord.run_id == run_id, WorkflowStepRecord.name == "a")
                     .values(status="compensated"))
    _finish(wf, lambda: wf.resume(run_id))
    assert wf.show(run_id)["status"] == "compensated"
    assert log == ["a", "b", "undo:b", "undo:a"]
