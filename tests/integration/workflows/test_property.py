"""Properties of the engine over random step outcomes, crashes and follow-up actions: every run
ends in a final state, and any event sequence the engine produces folds (``apply``) to exactly
the state its rows hold, field by field: no write reaches the rows but through an event."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.errors import ConflictError
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


def assert_rows_are_the_fold(wf: WorkflowsService, run_id: str) -> None:
    stored = wf.engine.state(run_id)
    assert replay(wf.events_of(run_id), stored.steps) == stored


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


def _definition(name: str, spec: list[dict[str, Any]]) -> Any:
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
    return parse_definition({"name": name, "inputs": {"go": {"type": "integer", "default": 0}}, "steps": steps})


def _run_to_end(wf: WorkflowsService, defn: Any) -> str:
    _register(wf)

    async def go() -> str:
        return await wf.engine.run(defn, {})

    return asyncio.run(go())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=st.lists(step_st, min_size=1, max_size=5))
def test_every_run_ends_final_and_its_rows_are_the_fold_of_its_events(services: Any, spec: list[dict[str, Any]]) -> None:
    wf = services.workflows
    run_id = _run_to_end(wf, _definition("prop", spec))
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

    assert_rows_are_the_fold(wf, run_id)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=st.lists(step_st, min_size=1, max_size=4), crash_at=st.integers(0, 3))
def test_a_crash_at_any_step_then_resume_still_ends_final_and_its_rows_are_the_fold(
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
    assert_rows_are_the_fold(wf2, run_id)
    interrupted = [e for e in wf2.events_of(run_id) if e.type == "workflow.interrupted"]
    assert len(interrupted) == (1 if entered else 0)
    event("crashed mid-step" if entered else "finished before the crash point")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=st.lists(step_st, min_size=1, max_size=4), follow_up=st.sampled_from(["compensate", "rerun"]),
       from_step=st.integers(0, 3), approve=st.booleans())
def test_follow_ups_on_an_ended_run_keep_both_runs_the_fold_of_their_events(
    services: Any, spec: list[dict[str, Any]], follow_up: str, from_step: int, approve: bool
) -> None:
    """Approvals, a compensation asked for after the end, and a re-run from a random step
    (reused steps, a superseded run): the rows of every run involved are still its fold."""
    wf = services.workflows
    run_id = _run_to_end(wf, _definition("follow", spec))
    if approve:
        wf.engine.approve(run_id, "s0", approved=True, note="looked fine")
    runs = [run_id]

    async def then() -> None:
        if follow_up == "compensate":
            runs.append(wf.engine.compensate(run_id))
        else:
            runs.append(wf.engine.rerun(run_id, f"s{min(from_step, len(spec) - 1)}", force=True))
        await wf.engine.wait(runs[-1])

    try:
        asyncio.run(then())
    except ConflictError:  # nothing (left) to compensate, or a step before the re-run's start cannot be reused
        event(f"{follow_up} refused")
    for rid in dict.fromkeys(runs):
        assert RunStatus(wf.show(rid)["status"]) in FINAL_RUN_STATUSES
        assert_rows_are_the_fold(wf, rid)
