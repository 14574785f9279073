"""Property: over random step outcomes every run ends in a final state, and the persisted
event history replays to exactly the state stored in the tables."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.workflows.definition import parse_definition
from app.workflows.model import FINAL_RUN_STATUSES, RunStatus, replay
from services.actions import ActionContext, Param
from services.workflows.service import WorkflowsService

outcome = st.lists(st.sampled_from(["ok", "fail"]), min_size=1, max_size=3)
step_st = st.fixed_dictionaries(
    {
        "plan": outcome,
        "attempts": st.integers(1, 3),
        "skip": st.booleans(),
        "comp": st.sampled_from(["none", "ok", "fail"]),
    }
)


def _register(wf: WorkflowsService) -> None:
    if wf.registry.has("plan"):
        return

    @wf.registry.action("plan", Param("plan", list), idempotent=True)
    def plan(actx: ActionContext, plan: list[str]) -> dict[str, Any]:
        if plan[min(actx.attempt, len(plan)) - 1] != "ok":
            raise RuntimeError(f"planned failure at attempt {actx.attempt}")
        return {"attempt": actx.attempt}

    @wf.registry.action("plan_undo", Param("ok", bool), idempotent=True)
    def plan_undo(actx: ActionContext, ok: bool) -> dict[str, Any]:
        if not ok:
            raise RuntimeError("planned compensation failure")
        return {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=st.lists(step_st, min_size=1, max_size=5))
def test_every_run_ends_final_and_replays_to_the_stored_state(services: Any, spec: list[dict[str, Any]]) -> None:
    wf = services.workflows
    _register(wf)
    steps = []
    for i, s in enumerate(spec):
        step: dict[str, Any] = {
            "name": f"s{i}",
            "action": "plan",
            "inputs": {"plan": s["plan"]},
            "retry": {"max_attempts": s["attempts"], "initial_interval": 0},
        }
        if s["skip"]:
            step["condition"] = "ctx.go == 1"
        if s["comp"] != "none":
            step["compensation"] = {"action": "plan_undo", "inputs": {"ok": s["comp"] == "ok"}}
        steps.append(step)
    defn = parse_definition({"name": "prop", "inputs": {"go": {"type": "integer", "default": 0}}, "steps": steps})

    async def go() -> str:
        return await wf.engine.run(defn, {})

    run_id = asyncio.run(go())
    detail = wf.show(run_id)
    status = RunStatus(detail["status"])
    assert status in FINAL_RUN_STATUSES

    # the expected outcome, computed independently of the engine
    failed_at = None
    for i, s in enumerate(spec):
        if s["skip"]:
            continue
        tries = s["plan"][: s["attempts"]] + [s["plan"][-1]] * max(0, s["attempts"] - len(s["plan"]))
        if "ok" not in tries[: s["attempts"]]:
            failed_at = i
            break
    if failed_at is None:
        assert status == RunStatus.SUCCEEDED
    else:
        undo = [s for s in spec[:failed_at] if not s["skip"] and s["comp"] != "none"]
        expected = (
            RunStatus.FAILED if not undo
            else RunStatus.COMPENSATION_FAILED if any(s["comp"] == "fail" for s in undo)
            else RunStatus.COMPENSATED
        )
        assert status == expected
        assert detail["failed_step"] == f"s{failed_at}"

    state = replay(wf.events_of(run_id), [s["name"] for s in detail["steps"]])
    assert state.status == status
    assert {k: (v.status.value, v.attempts) for k, v in state.steps.items()} == {
        s["name"]: (s["status"], s["attempts"]) for s in detail["steps"]
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=st.lists(step_st, min_size=1, max_size=4), crash_at=st.integers(0, 3))
def test_a_crash_at_any_step_then_resume_still_ends_final_and_replays(
    make_services: Any, spec: list[dict[str, Any]], crash_at: int
) -> None:
    """The process 'dies' while a random step runs (its tasks vanish, nothing more is written);
    a restart marks the run interrupted; resume (all actions idempotent here) finishes it."""
    first = make_services()
    wf = first.workflows
    entered: list[int] = []

    @wf.registry.action("plan", Param("plan", list), Param("i", int), idempotent=True, replace=True)
    async def plan_blocking(actx: ActionContext, plan: list[str], i: int) -> dict[str, Any]:
        if i == crash_at and actx.attempt == 1:
            entered.append(i)
            await asyncio.sleep(60)
        if plan[min(actx.attempt, len(plan)) - 1] != "ok":
            raise RuntimeError("planned failure")
        return {}

    @wf.registry.action("plan_undo", Param("ok", bool), idempotent=True, replace=True)
    def plan_undo(actx: ActionContext, ok: bool) -> dict[str, Any]:
        if not ok:
            raise RuntimeError("planned compensation failure")
        return {}

    steps = []
    for i, s in enumerate(spec):
        step: dict[str, Any] = {"name": f"s{i}", "action": "plan", "inputs": {"plan": s["plan"], "i": i},
                                "retry": {"max_attempts": s["attempts"], "initial_interval": 0}}
        if s["skip"]:
            step["condition"] = "ctx.go == 1"
        if s["comp"] != "none":
            step["compensation"] = {"action": "plan_undo", "inputs": {"ok": s["comp"] == "ok"}}
        steps.append(step)
    defn = parse_definition({"name": "crashprop", "inputs": {"go": {"type": "integer", "default": 0}}, "steps": steps})

    async def until_crash_or_end() -> str:
        run_id = wf.engine.start(defn, {})
        while not entered and wf.engine.is_live(run_id):
            await asyncio.sleep(0.005)
        await wf.engine.shutdown()
        return str(run_id)

    run_id = asyncio.run(until_crash_or_end())
    second = make_services()  # restart: recovery at start-up
    wf2 = second.workflows

    @wf2.registry.action("plan", Param("plan", list), Param("i", int), idempotent=True, replace=True)
    def plan_after_restart(actx: ActionContext, plan: list[str], i: int) -> dict[str, Any]:
        if plan[min(actx.attempt, len(plan)) - 1] != "ok":
            raise RuntimeError("planned failure")
        return {}

    wf2.registry.action("plan_undo", Param("ok", bool), idempotent=True, replace=True)(plan_undo)
    status = RunStatus(wf2.show(run_id)["status"])
    if entered:
        assert status == RunStatus.INTERRUPTED

        async def resume() -> None:
            wf2.resume(run_id)
            await wf2.wait(run_id)

        asyncio.run(resume())
    detail = wf2.show(run_id)
    assert RunStatus(detail["status"]) in FINAL_RUN_STATUSES
    state = replay(wf2.events_of(run_id), [s["name"] for s in detail["steps"]])
    assert state.status.value == detail["status"]
    assert {k: (v.status.value, v.attempts) for k, v in state.steps.items()} == {
        s["name"]: (s["status"], s["attempts"]) for s in detail["steps"]
    }
    interrupted = [e for e in wf2.events_of(run_id) if e[0] == "workflow.interrupted"]
    assert len(interrupted) == (1 if entered else 0)
    event("crashed mid-step" if entered else "finished before the crash point")
