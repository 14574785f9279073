"""``workflow list|run|show|resume|compensate|cancel|history|import|rerun|approve|actions``.

Runs execute on an asyncio loop in this process (a QCoreApplication + qasync loop, so actions
that use QProcess work). Ctrl+C asks the run to cancel cooperatively.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from app.errors import UserError
from app.events import Event
from ui.cli.context import CliContext
from ui.cli.loop import run_on_loop

if TYPE_CHECKING:
    from services.workflows.service import WorkflowsService

T = TypeVar("T")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("workflow", parents=[parent], help="durable multi-step workflows (sagas)")
    wsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    s = wsub.add_parser("list", parents=[parent], help="workflow definitions and whether they can run here")
    s.set_defaults(func=cmd_list)

    s = wsub.add_parser("actions", parents=[parent], help="the registered actions steps may call")
    s.set_defaults(func=cmd_actions)

    s = wsub.add_parser("run", parents=[parent], help="run a workflow to its end")
    s.add_argument("name")
    s.add_argument("--input", action="append", default=[], metavar="K=V", help="an input value (repeatable)")
    s.set_defaults(func=cmd_run)

    s = wsub.add_parser("show", parents=[parent], help="a run with its step timeline")
    s.add_argument("exec_id", metavar="EXEC_ID")
    s.set_defaults(func=cmd_show)

    s = wsub.add_parser("history", parents=[parent], help="runs of a workflow, newest first")
    s.add_argument("name")
    s.add_argument("--status")
    s.add_argument("--limit", type=int, default=50)
    s.set_defaults(func=cmd_history)

    for name, func, help_ in (
        ("resume", cmd_resume, "continue an interrupted run (re-runs the in-flight step only if idempotent)"),
        ("compensate", cmd_compensate, "undo the completed steps of a run, in reverse order"),
    ):
        s = wsub.add_parser(name, parents=[parent], help=help_)
        s.add_argument("exec_id", metavar="EXEC_ID")
        s.add_argument("--force", action="store_true", help="run a non-idempotent in-flight step or compensation again")
        s.set_defaults(func=func)

    s = wsub.add_parser("cancel", parents=[parent], help="cancel a run (cooperatively; also stops its running process)")
    s.add_argument("exec_id", metavar="EXEC_ID")
    s.set_defaults(func=cmd_cancel)

    s = wsub.add_parser("rerun", parents=[parent], help="re-run a run from a chosen step, with edited inputs")
    s.add_argument("exec_id", metavar="EXEC_ID")
    s.add_argument("--from", dest="from_step", required=True, metavar="STEP")
    s.add_argument("--input", action="append", default=[], metavar="K=V")
    s.add_argument("--force", action="store_true", help="allow running non-idempotent steps that already ran")
    s.set_defaults(func=cmd_rerun)

    s = wsub.add_parser("import", parents=[parent], help="import a workflow definition (.json or .toml)")
    s.add_argument("file", type=Path)
    s.add_argument("--replace", action="store_true", help="replace an imported workflow of the same name")
    s.set_defaults(func=cmd_import)

    s = wsub.add_parser("approve", parents=[parent], help="approve (or reject) a step waiting for approval")
    s.add_argument("exec_id", metavar="EXEC_ID")
    s.add_argument("--step")
    s.add_argument("--reject", action="store_true")
    s.add_argument("--note", default="")
    s.set_defaults(func=cmd_approve)


def _svc(ctx: CliContext) -> WorkflowsService:
    return ctx.services.workflows


def _drive(ctx: CliContext, start: Callable[[WorkflowsService], str], *, done: str = "succeeded") -> int:
    """Start (or resume...) a run, stream its progress, wait for its end, report it.

    ``done``: the status that means the command did what it was asked (``compensated`` for compensate).
    """
    svc = _svc(ctx)
    holder: dict[str, str] = {}
    undo: dict[str, float] = {}

    def on_event(event: Event) -> None:
        if event.correlation_id != holder.get("id"):
            return
        p = event.payload()
        if event.type == "workflow.run_compensated":
            undo["duration"] = float(p.get("duration") or 0.0)  # the undo's own time, not the run's
        if ctx.json:
            return
        kind = event.type.removeprefix("workflow.")
        text = {
            "step_started": f"  > {p.get('step')} (attempt {p.get('attempt')})",
            "step_succeeded": f"  ok {p.get('step')}",
            "step_failed": f"  x {p.get('step')}: {p.get('error')}" + (f" (retry in {p.get('retry_in'):g}s)" if p.get("will_retry") else ""),
            "step_skipped": f"  - {p.get('step')} skipped ({p.get('condition')})",
            "compensating": f"  <- undoing {p.get('step')} ({p.get('action')})",
            "compensated": f"  <- {p.get('step')} " + ("undone" if p.get("ok") else f"NOT undone: {p.get('error')}"),
            "notified": f"  ! {p.get('title')}: {p.get('message')}",
            "approval_requested": f"  ? waiting for approval: {p.get('message')} (trendforge workflow approve {holder.get('id')})",
        }.get(kind)
        if text:
            ctx.print(text)

    unsubscribe = svc.ctx.bus.subscribe("workflow.*", on_event)

    async def go() -> str:
        run_id = start(svc)
        holder["id"] = run_id
        if not ctx.json:
            ctx.print(f"run {run_id}")
        previous = signal.getsignal(signal.SIGINT)

        def on_sigint(_sig: int, _frame: object) -> None:
            sys.stderr.write("trendforge: cancelling the run...\n")
            try:
                svc.cancel(run_id)
            except UserError as exc:
                ctx.error(str(exc))

        signal.signal(signal.SIGINT, on_sigint)
        watcher = None
        if svc.temporal is not None and not svc.engine.is_live(run_id):
            # the run's events are committed by Temporal workers: show them as they land in the store
            from services.events.other_writers import OtherWriters

            watcher = OtherWriters.for_store(svc.ctx.config, svc.ctx.bus)
            watcher.start()
        try:
            await svc.wait(run_id)
        finally:
            signal.signal(signal.SIGINT, previous)
            if watcher is not None:
                watcher.check()  # the last events (the run's end) before the summary
                watcher.stop()
        return run_id

    try:
        run_id = run_on_loop(go)
    finally:
        unsubscribe()
    detail = svc.show(run_id)
    shown: dict[str, object] = dict(detail)
    if "duration" in undo:
        shown["compensation_duration"] = undo["duration"]

    def human() -> None:
        took = undo.get("duration", detail["duration"])
        ctx.print(f"{detail['workflow']} {detail['status']}" + (f" in {took:.2f}s" if took is not None else ""))

    ctx.emit(shown, human)
    if detail["status"] == done:
        return 0
    reason = detail["error"] or detail["status"]
    ctx.error(f"run {run_id} {detail['status']}: {reason}")
    return 1


def cmd_list(ctx: CliContext) -> int:
    rows = _svc(ctx).list_definitions()

    def human() -> None:
        table = [{**r, "steps": " -> ".join(r["steps"]), "runnable": "yes" if r["runnable"] else "no: needs " + ", ".join(r["missing_actions"])} for r in rows]
        ctx.table(table, ["name", "origin", "runs", "steps", "runnable"])

    ctx.emit(rows, human)
    return 0


def cmd_actions(ctx: CliContext) -> int:
    svc = _svc(ctx)
    rows = [
        {"name": s.name, "area": s.area, "idempotent": s.idempotent, "inputs": ", ".join(f"{p.name}:{p.type_name}{'' if p.required and p.default is None else '?'}" for p in s.params),
         "description": s.description}
        for s in svc.registry.specs()
    ]

    def human() -> None:
        ctx.table(rows, ["name", "area", "idempotent", "inputs", "description"])

    ctx.emit({"actions": rows}, human)
    return 0


def cmd_run(ctx: CliContext) -> int:
    name = ctx.args.name
    inputs = _svc(ctx).parse_inputs(name, ctx.args.input)
    return _drive(ctx, lambda svc: svc.start(name, inputs))


def cmd_resume(ctx: CliContext) -> int:
    return _drive(ctx, lambda svc: svc.resume(ctx.args.exec_id, force=ctx.args.force))


def cmd_compensate(ctx: CliContext) -> int:
    return _drive(ctx, lambda svc: svc.compensate(ctx.args.exec_id, force=ctx.args.force), done="compensated")


def cmd_rerun(ctx: CliContext) -> int:
    a = ctx.args
    return _drive(ctx, lambda svc: svc.rerun(a.exec_id, a.from_step, a.input, force=a.force))


def cmd_cancel(ctx: CliContext) -> int:
    outcome = _svc(ctx).cancel(ctx.args.exec_id)
    msg = {
        "requested": "cancel requested; the process running it will stop it shortly",
        "cancelled": "cancelled",
        "cancelling": "cancelling",
    }[outcome]
    ctx.emit({"id": ctx.args.exec_id, "outcome": outcome}, lambda: ctx.print(msg))
    return 0


def cmd_show(ctx: CliContext) -> int:
    detail = _svc(ctx).show(ctx.args.exec_id)

    def human() -> None:
        ctx.print(f"run {detail['id']}  {detail['workflow']} v{detail['version']}  {detail['status'].upper()}")
        ctx.print(f"  started {detail['started_at']}  ended {detail['ended_at'] or '-'}  duration {detail['duration'] if detail['duration'] is not None else '-'}s")
        ctx.print(f"  inputs {detail['inputs']}")
        if detail["error"]:
            ctx.print(f"  error  {detail['error']}")
        if detail["rerun_of"]:
            ctx.print(f"  re-run of {detail['rerun_of']}")
        if detail["superseded_by"]:
            ctx.print(f"  superseded by {detail['superseded_by']}")
        rows = []
        for s in detail["steps"]:
            note = s["error"] or ""
            if s["compensation_error"]:
                note = f"undo failed: {s['compensation_error']}"
            rows.append({"step": s["name"], "action": s["action"], "status": s["status"] + (" (reused)" if s["reused"] else ""),
                         "attempts": s["attempts"], "duration": s["duration"], "output": s["output"], "error": note or None})
        ctx.table(rows, ["step", "action", "status", "attempts", "duration", "output", "error"])

    ctx.emit(detail, human)
    return 0


def cmd_history(ctx: CliContext) -> int:
    rows = _svc(ctx).history(ctx.args.name, limit=ctx.args.limit, status=ctx.args.status)
    ctx.emit(rows, lambda: ctx.table(rows, ["id", "status", "created_at", "duration", "failed_step", "error"]))
    return 0


def cmd_import(ctx: CliContext) -> int:
    defn = _svc(ctx).import_definition(ctx.args.file, replace=ctx.args.replace)
    ctx.emit({"name": defn.name, "version": defn.version, "steps": defn.step_names()},
             lambda: ctx.print(f"imported {defn.name} v{defn.version}:\n{defn.diagram()}"))
    return 0


def cmd_approve(ctx: CliContext) -> int:
    a = ctx.args
    step = _svc(ctx).approve(a.exec_id, a.step, approved=not a.reject, note=a.note)
    verdict = "rejected" if a.reject else "approved"
    ctx.emit({"id": a.exec_id, "step": step, "decision": verdict}, lambda: ctx.print(f"{verdict} step {step}"))
    return 0
