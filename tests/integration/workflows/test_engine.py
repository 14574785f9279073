"""The engine on a real SQLite file: success, conditions, retries, timeouts, compensation, cancel, re-run."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from datetime import datetime
from typing import Any

import pytest

from app.errors import ConflictError, UserError
from app.workflows.definition import parse_definition
from services.actions import ActionContext, Param
from services.events.store import EventQuery
from services.workflows.service import WorkflowsService

Recorder = Any
RunDef = Any


def steps(detail: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["status"] for s in detail["steps"]}


def test_sequential_success_passes_outputs_and_correlates_every_event(wf: WorkflowsService, rec: Recorder, run: RunDef) -> None:
    detail = run(
        {
            "name": "seq",
            "inputs": {"who": {"type": "string"}},
            "steps": [
                {"name": "a", "action": "record", "inputs": {"tag": "a-${ctx.who}"}},
                {"name": "b", "action": "record", "inputs": {"tag": "${steps.a.output.tag}+b"}},
                {"name": "c", "action": "notify", "inputs": {"title": "done", "message": "${steps.b.output.tag}"}},
            ],
        },
        {"who": "me"},
    )
    assert detail["status"] == "succeeded"
    assert rec.calls == ["a-me", "a-me+b"]
    assert steps(detail) == {"a": "succeeded", "b": "succeeded", "c": "succeeded"}
    assert detail["steps"][1]["inputs"] == {"tag": "a-me+b"}
    assert detail["steps"][2]["output"] == {"title": "done", "message": "a-me+b"}
    # every event of the run, including the one the notify action records, carries the run id
    events = wf.ctx.bus.history(EventQuery(correlation_id=detail["id"], limit=1000, oldest_first=True))
    types = [e.event.type for e in events]
    assert types[0] == "workflow.started" and types[-1] == "workflow.completed"
    assert "workflow.notified" in types
    assert types.count("workflow.step_succeeded") == 3
    assert all(e.event.correlation_id == detail["id"] for e in events)


def test_condition_skips_a_step(rec: Recorder, run: RunDef, wf: WorkflowsService) -> None:
    detail = run(
        {
            "name": "cond",
            "inputs": {"fast": {"type": "boolean", "default": False}},
            "steps": [
                {"name": "a", "action": "record", "inputs": {"tag": "a"}},
                {"name": "slow", "action": "record", "condition": "not ctx.fast and steps.a.output.tag == 'x'", "inputs": {"tag": "slow"}},
                {"name": "c", "action": "record", "condition": "steps.slow.status == 'skipped'", "inputs": {"tag": "c"}},
            ],
        }
    )
    assert detail["status"] == "succeeded"
    assert steps(detail) == {"a": "succeeded", "slow": "skipped", "c": "succeeded"}
    assert rec.calls == ["a", "c"]


def test_retry_with_backoff_then_success(rec: Recorder, run: RunDef, wf: WorkflowsService) -> None:
    detail = run(
        {
            "name": "retry",
            "steps": [
                {"name": "f", "action": "flaky", "inputs": {"tag": "f", "plan": ["fail", "fail", "ok"]},
                 "retry": {"max_attempts": 4, "initial_interval": 0.05, "backoff_coefficient": 2, "max_interval": 1}},
            ],
        }
    )
    assert detail["status"] == "succeeded"
    assert detail["steps"][0]["attempts"] == 3
    assert rec.calls == ["f#1", "f#2", "f#3"]
    rows = wf.ctx.bus.history(EventQuery(correlation_id=detail["id"], types=["workflow.step_*"], limit=100, oldest_first=True))
    failed = [r.event for r in rows if r.event.type == "workflow.step_failed"]
    assert [(e.payload()["attempt"], e.payload()["retry_in"], e.payload()["will_retry"]) for e in failed] == [
        (1, 0.05, True),
        (2, 0.1, True),
    ]
    starts = [r.event.timestamp for r in rows if r.event.type == "workflow.step_started"]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert gaps[0] >= 0.045 and gaps[1] >= 0.095  # the engine really waited, growing by the coefficient


def test_non_retryable_errors_are_not_retried(rec: Recorder, run: RunDef) -> None:
    detail = run(
        {"name": "nr", "steps": [{"name": "f", "action": "fail", "inputs": {"error_type": "UserError"},
                                  "retry": {"max_attempts": 5, "initial_interval": 0}}]}
    )
    assert detail["status"] == "failed"
    assert detail["steps"][0]["attempts"] == 1
    assert detail["steps"][0]["error_type"] == "UserError"


def test_timeout_fails_the_attempt_and_is_retried_then_fails(run: RunDef, wf: WorkflowsService) -> None:
    t0 = time.monotonic()
    detail = run(
        {"name": "slow", "steps": [{"name": "s", "action": "sleep", "inputs": {"seconds": 30}, "timeout": 0.1,
                                    "retry": {"max_attempts": 2, "initial_interval": 0}}]}
    )
    assert time.monotonic() - t0 < 5
    assert detail["status"] == "failed"
    s = detail["steps"][0]
    assert (s["status"], s["attempts"], s["error_type"]) == ("failed", 2, "TimeoutError")
    assert "timed out after 0.1s" in s["error"]
    assert "timed out" in detail["error"]


SAGA: dict[str, Any] = {
    "name": "saga",
    "steps": [
        {"name": "a", "action": "record", "inputs": {"tag": "a"}, "compensation": {"action": "undo", "inputs": {"tag": "${steps.a.output.tag}"}}},
        {"name": "b", "action": "record", "inputs": {"tag": "b"}, "compensation": {"action": "undo", "inputs": {"tag": "b"}}},
        {"name": "plain", "action": "record", "inputs": {"tag": "plain"}},
        {"name": "c", "action": "record", "inputs": {"tag": "c"}, "compensation": {"action": "undo", "inputs": {"tag": "c"}}},
        {"name": "boom", "action": "fail", "inputs": {"message": "disk full"}, "retry": {"max_attempts": 2, "initial_interval": 0},
         "compensation": {"action": "undo", "inputs": {"tag": "boom"}}},
        {"name": "never", "action": "record", "inputs": {"tag": "never"}, "compensation": {"action": "undo", "inputs": {"tag": "never"}}},
    ],
}


def test_failure_compensates_completed_steps_in_reverse(rec: Recorder, run: RunDef, wf: WorkflowsService) -> None:
    detail = run(SAGA)
    assert rec.calls == ["a", "b", "plain", "c", "undo:c", "undo:b", "undo:a"]
    assert detail["status"] == "compensated"
    assert detail["failed_step"] == "boom" and "disk full" in (detail["error"] or "")
    assert steps(detail) == {"a": "compensated", "b": "compensated", "plain": "succeeded", "c": "compensated",
                             "boom": "failed", "never": "pending"}


def test_a_failing_compensation_is_recorded_and_the_others_still_run(rec: Recorder, run: RunDef, wf: WorkflowsService) -> None:
    data = parse_definition(SAGA).raw
    data = {**data, "steps": [dict(s) for s in data["steps"]]}
    data["steps"][1]["compensation"] = {"action": "undo", "inputs": {"tag": "b", "fail": True}, "retry": {"max_attempts": 2, "initial_interval": 0}}
    detail = run(data)
    assert rec.calls == ["a", "b", "plain", "c", "undo:c", "undo:b", "undo:b", "undo:a"]
    assert detail["status"] == "compensation_failed"
    b = detail["steps"][1]
    assert b["status"] == "compensation_failed"
    assert b["compensation_error"] == "RuntimeError: cannot undo b"
    assert b["compensation_attempts"] == 2
    assert detail["steps"][0]["status"] == "compensated"


def test_cancel_stops_the_running_action_runs_its_hook_and_ends_cancelled(wf: WorkflowsService, rec: Recorder) -> None:
    hooks: list[str] = []

    @wf.registry.action("long", idempotent=True)
    async def long(actx: ActionContext) -> dict[str, Any]:
        actx.on_cancel(lambda: hooks.append("hook"))
        await asyncio.sleep(30)
        return {}

    defn = parse_definition({"name": "c", "steps": [
        {"name": "a", "action": "record", "inputs": {"tag": "a"}},
        {"name": "long", "action": "long"},
        {"name": "after", "action": "record", "inputs": {"tag": "after"}},
    ]})

    async def go() -> str:
        run_id = wf.engine.start(defn, {})
        while wf.show(run_id)["steps"][1]["status"] != "running":
            await asyncio.sleep(0.01)
        assert wf.cancel(run_id) == "cancelling"
        await asyncio.wait_for(wf.wait(run_id), 5)
        return run_id

    t0 = time.monotonic()
    run_id = asyncio.run(go())
    assert time.monotonic() - t0 < 5
    detail = wf.show(run_id)
    assert detail["status"] == "cancelled"
    assert steps(detail) == {"a": "succeeded", "long": "cancelled", "after": "pending"}
    assert hooks == ["hook"]
    assert rec.calls == ["a"]
    with pytest.raises(ConflictError, match="already cancelled"):
        wf.cancel(run_id)


def test_cancel_kills_a_real_child_process(wf: WorkflowsService) -> None:
    """A build-like action owns a real child process and registers a hook that kills it."""
    procs: list[asyncio.subprocess.Process] = []

    @wf.registry.action("child", idempotent=False)
    async def child(actx: ActionContext) -> dict[str, Any]:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(60)")
        procs.append(proc)
        actx.on_cancel(proc.kill)
        return {"rc": await proc.wait()}

    defn = parse_definition({"name": "k", "steps": [{"name": "child", "action": "child"}]})

    async def go() -> str:
        run_id = wf.engine.start(defn, {})
        while not procs:
            await asyncio.sleep(0.01)
        wf.cancel(run_id)
        await wf.wait(run_id)
        await asyncio.wait_for(procs[0].wait(), 5)
        return run_id

    run_id = asyncio.run(go())
    assert procs[0].returncode is not None and procs[0].returncode < 0  # killed by a signal
    assert wf.show(run_id)["status"] == "cancelled"


def test_several_runs_proceed_at_once(wf: WorkflowsService) -> None:
    defn = parse_definition({"name": "p", "steps": [{"name": "s", "action": "sleep", "inputs": {"seconds": 1.0}},
                                                     {"name": "n", "action": "noop"}]})

    async def go() -> list[str]:
        ids = [wf.engine.start(defn, {}) for _ in range(5)]
        await asyncio.gather(*(wf.wait(i) for i in ids))
        return ids

    ids = asyncio.run(go())
    runs = [wf.show(i) for i in ids]
    assert {r["status"] for r in runs} == {"succeeded"}
    # at once, not one after another: every run's sleep had started before the first one ended (read from the
    # steps' recorded times, so a loaded machine cannot fail it)
    sleeps = [next(s for s in r["steps"] if s["name"] == "s") for r in runs]
    starts = [datetime.fromisoformat(s["started_at"]) for s in sleeps]
    ends = [datetime.fromisoformat(s["ended_at"]) for s in sleeps]
    assert max(starts) < min(ends)


def test_rerun_from_a_step_with_edited_inputs_reuses_earlier_outputs(wf: WorkflowsService, rec: Recorder, run: RunDef) -> None:
    data = {"name": "re", "inputs": {"mode": {"type": "string", "default": "bad"}}, "steps": [
        {"name": "a", "action": "record", "inputs": {"tag": "a"}},
        {"name": "check", "action": "noop", "condition": "ctx.mode == 'bad'", "inputs": {"value": 1}},
        {"name": "b", "action": "fail", "condition": "ctx.mode == 'bad'"},
        {"name": "c", "action": "record", "inputs": {"tag": "c-${steps.a.output.tag}"}},
    ]}
    first = run(data)
    assert first["status"] == "failed"
    with pytest.raises(ConflictError, match="cannot be reused"):
        wf.rerun(first["id"], "c")

    async def go() -> str:
        new_id = wf.rerun(first["id"], "b", ["mode=good"])
        await wf.wait(new_id)
        return new_id

    new_id = asyncio.run(go())
    second = wf.show(new_id)
    assert second["status"] == "succeeded" and second["rerun_of"] == first["id"]
    assert second["inputs"] == {"mode": "good"}
    assert steps(second) == {"a": "succeeded", "check": "succeeded", "b": "skipped", "c": "succeeded"}
    assert second["steps"][0]["reused"] is True
    assert rec.calls == ["a", "c-a"]  # 'a' was not run again
    assert wf.show(first["id"])["superseded_by"] == new_id


def test_compensate_a_succeeded_run_on_request(wf: WorkflowsService, rec: Recorder, run: RunDef) -> None:
    detail = run({"name": "undo-me", "steps": SAGA["steps"][:3]})
    assert detail["status"] == "succeeded"

    async def go() -> None:
        wf.compensate(detail["id"])
        await wf.wait(detail["id"])

    asyncio.run(go())
    after = wf.show(detail["id"])
    assert after["status"] == "compensated"
    assert rec.calls[-2:] == ["undo:b", "undo:a"]
    with pytest.raises(UserError):
        wf.resume(detail["id"])


def test_compensating_a_succeeded_run_records_the_undo_and_its_own_duration_not_a_failure(
        wf: WorkflowsService, rec: Recorder, run: RunDef) -> None:
    detail = run({"name": "undo-me", "steps": SAGA["steps"][:3]})
    assert detail["status"] == "succeeded"

    async def go() -> float:
        began = time.monotonic()
        wf.compensate(detail["id"])
        await wf.wait(detail["id"])
        return time.monotonic() - began

    observed = asyncio.run(go())
    events = [e.event for e in wf.ctx.bus.history(EventQuery(correlation_id=detail["id"], types=["workflow.*"], limit=500))]
    types = [e.type for e in events]
    assert "workflow.failed" not in types
    (done,) = [e for e in events if e.type == "workflow.run_compensated"]
    payload = done.payload()
    assert payload["status"] == "compensated" and payload["after"] == "succeeded" and payload["error"] == ""
    assert 0 <= payload["duration"] <= observed  # the undo's own time, not the time since the run began
    after = wf.show(detail["id"])
    assert after["status"] == "compensated" and after["error"] is None


def test_compensating_a_run_with_nothing_to_undo_is_refused_and_leaves_it_as_it_was(
        wf: WorkflowsService, rec: Recorder, run: RunDef) -> None:
    # used to flip a cancelled/failed run to "failed" with a new end time and report "run failed"
    detail = run({"name": "no-undo", "steps": [{"name": "a", "action": "noop"}, {"name": "boom", "action": "fail"}]})
    assert detail["status"] == "failed"
    with pytest.raises(ConflictError, match=r"nothing to compensate.*stays failed"):
        wf.compensate(detail["id"])
    after = wf.show(detail["id"])
    assert after["status"] == "failed" and after["ended_at"] == detail["ended_at"]


def test_unknown_action_in_an_import_is_refused(wf: WorkflowsService, tmp_path: Any) -> None:
    f = tmp_path / "x.json"
    f.write_text('{"name": "x", "steps": [{"name": "a", "action": "launch_rockets"}]}')
    with pytest.raises(UserError, match="unknown action 'launch_rockets'"):
        wf.import_definition(f)
    f.write_text('{"name": "x", "steps": [{"name": "a", "action": "noop", "inputs": {"valu": 1}}]}')
    with pytest.raises(UserError, match="takes no input valu"):
        wf.import_definition(f)
    f.write_text('{"name": "x", "steps": [{"name": "a", "action": "noop", "inputs": {"value": 1}}]}')
    assert wf.import_definition(f).name == "x"
    assert "x" in [d["name"] for d in wf.list_definitions()]


def test_trend_to_release_is_listed_but_not_runnable_without_its_areas(wf: WorkflowsService) -> None:
    d = {x["name"]: x for x in wf.list_definitions()}["trend-to-release"]
    assert d["steps"] == ["pick", "template", "build", "sign", "deploy"]
    if d["missing_actions"]:
        with pytest.raises(UserError, match="cannot run here"):
            wf.start("trend-to-release", {"base_template": "t", "deploy_dir": "/tmp/x"})


def test_action_inputs_are_type_checked_at_run_time(wf: WorkflowsService, run: RunDef) -> None:
    wf.registry.register  # noqa: B018 - the registry exists
    wf.registry.action("needs_int", Param("n", int), idempotent=True)(lambda actx, n: {"n": n})
    detail = run({"name": "t", "inputs": {"v": {"type": "string", "default": "seven"}},
                  "steps": [{"name": "a", "action": "needs_int", "inputs": {"n": "${ctx.v}"}}]})
    assert detail["status"] == "failed"
    assert "must be int" in detail["steps"][0]["error"]


def test_closing_the_app_records_live_runs_as_interrupted_and_they_resume(make_services: Any) -> None:
    first = make_services()
    wf = first.workflows
    hooks: list[str] = []

    @wf.registry.action("slow", idempotent=True)
    async def slow(actx: ActionContext) -> dict[str, Any]:
        actx.on_cancel(lambda: hooks.append("stopped"))
        await asyncio.sleep(30)
        return {}

    defn = parse_definition({"name": "q", "steps": [{"name": "slow", "action": "slow"}, {"name": "n", "action": "noop"}]})

    async def go() -> str:
        run_id = wf.engine.start(defn, {})
        while wf.show(run_id)["steps"][0]["status"] != "running":
            await asyncio.sleep(0.01)
        first.close()
        return run_id

    run_id = asyncio.run(go())
    assert hooks == ["stopped"]
    second = make_services()
    wf2 = second.workflows
    detail = wf2.show(run_id)
    assert detail["status"] == "interrupted"
    assert [s["status"] for s in detail["steps"]] == ["interrupted", "pending"]
    assert "interrupted run" in wf2.health().detail

    @wf2.registry.action("slow", idempotent=True)
    async def fast(actx: ActionContext) -> dict[str, Any]:
        return {"fast": True}

    async def resume() -> None:
        wf2.resume(run_id)
        await wf2.wait(run_id)

    asyncio.run(resume())
    done = wf2.show(run_id)
    assert done["status"] == "succeeded" and done["steps"][0]["attempts"] == 2
