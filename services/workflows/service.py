"""The workflows service: definitions (built-in and imported), runs, and their history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

import app.workflows.events as wf_events  # also registers the event types
from app.errors import NotFoundError, UserError
from app.events import Event
from app.health import Health
from app.jsonvalue import JsonObject, JsonValue
from app.remedies import ImportWorkflow, ListWorkflows, ReplaceWorkflow, WorkflowHistory
from app.untrusted import load_data
from app.workflows.events import WorkflowImported
from app.workflows.model import RunStatus
from services.actions import ActionRegistry
from services.base import BaseService, operation
from services.context import ServiceContext
from services.db.ids import resolve_id
from services.workflows.builtin_actions import register_builtin_actions
from services.workflows.engine import WorkflowEngine
from services.workflows.health import runs_health
from services.workflows.models import WorkflowDefinitionRecord as DefRec
from services.workflows.models import WorkflowRunRecord as RunRec
from services.workflows.models import WorkflowStepRecord as StepRec
from services.workflows.rows import DefinitionRow, RunDetail, RunRow, StepRow, row_duration, row_time

if TYPE_CHECKING:  # a definition's checks (and its expressions') are imported by what reads, imports or reruns
    # one, not with the service: start-up compares the built-in ones with what is stored, as data
    from app.workflows.definition import WorkflowDefinition
    from services.workflows.temporal.config import TemporalConfig
    from services.workflows.temporal.runs import TemporalRuns

BUILTIN_PACKAGE = "resources.workflows"
# imported by the methods that read, import, run or rerun a definition, not with the service (start-up compares the
# built-in definitions with the stored ones as data); the GUI imports them on a worker once its first panel is
# filled (Services.import_deferred)
LATER_IMPORTS = ("app.workflows.definition", "app.workflows.expr")


def run_to_dict(run: RunRec) -> RunRow:
    return {
        "id": run.id,
        "workflow": run.workflow,
        "version": run.version,
        "status": run.status,
        "phase": run.phase,
        "inputs": run.inputs or {},
        "error": run.error,
        "failed_step": run.failed_step,
        "created_at": row_time(run.created_at),
        "started_at": row_time(run.started_at),
        "ended_at": row_time(run.ended_at),
        "duration": row_duration(run.started_at, run.ended_at),
        "rerun_of": run.rerun_of,
        "superseded_by": run.superseded_by,
        "cancel_requested": bool(run.cancel_requested),
    }


def step_to_dict(step: StepRec) -> StepRow:
    return {
        "position": step.position,
        "name": step.name,
        "action": step.action,
        "status": step.status,
        "attempts": step.attempts,
        "inputs": step.inputs,
        "output": step.output,
        "error": step.error,
        "error_type": step.error_type,
        "started_at": row_time(step.started_at),
        "ended_at": row_time(step.ended_at),
        "duration": row_duration(step.started_at, step.ended_at),
        "reused": bool(step.reused),
        "compensation_action": step.compensation_action,
        "compensation_error": step.compensation_error,
        "compensation_attempts": step.compensation_attempts,
        "compensated_at": row_time(step.compensated_at),
    }


class WorkflowsService(BaseService):
    name = "workflows"

    def __init__(self, ctx: ServiceContext, registry: ActionRegistry | None = None, *,
                 temporal: TemporalConfig | None = None) -> None:
        """``registry`` holds the other areas' actions (the composition root fills it); built-ins are added here.

        ``temporal``: new runs go to Temporal there (team mode); runs stored here stay readable and repairable.
        """
        super().__init__(ctx, cache_ttl=2.0)
        self.registry = registry if registry is not None else ActionRegistry()
        register_builtin_actions(self.registry)
        self.engine = WorkflowEngine(ctx, self.registry)
        self.temporal: TemporalRuns | None = None
        if temporal is not None:
            from services.workflows.temporal.runs import TemporalRuns

            self.temporal = TemporalRuns(temporal, self.registry)

    def close(self) -> None:
        self.engine.close()  # live runs are recorded as interrupted on exit
        if self.temporal is not None:
            self.temporal.close()

    def _on_temporal(self, run_id: str) -> tuple[str, TemporalRuns | None]:
        """The full run id, and Temporal if the run is there (not in this store)."""
        if self.temporal is None:
            return self._full_id(run_id), None
        try:
            full = self._full_id(run_id)
        except NotFoundError:
            return self.temporal.resolve_id(run_id), self.temporal
        with self.ctx.new_uow() as uow:
            stored = uow.session.get(RunRec, full) is not None
        return (full, None) if stored else (full, self.temporal)

    @property
    def area_actions(self) -> dict[str, list[str]]:
        """Registered action names per area (built-ins excluded)."""
        out: dict[str, list[str]] = {}
        for spec in self.registry.specs():
            if spec.area != "core":
                out.setdefault(spec.area, []).append(spec.name)
        return out

    # ------------------------------------------------------------------ definitions
    @staticmethod
    def builtin_bodies() -> list[tuple[str, JsonValue]]:
        """(source, data) of each bundled definition, read but not checked yet."""
        out: list[tuple[str, JsonValue]] = []
        for entry in sorted(resources.files(BUILTIN_PACKAGE).iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".json", ".toml")):
                fmt = "toml" if entry.name.endswith(".toml") else "json"
                source = f"built-in {entry.name}"
                out.append((source, load_data(entry.read_text(encoding="utf-8"), fmt=fmt, source=source)))
        return out

    def builtin_definitions(self) -> list[WorkflowDefinition]:
        from app.workflows.definition import parse_definition

        return [parse_definition(data, source=source) for source, data in self.builtin_bodies()]

    def sync_builtins(self) -> None:
        """Store the bundled definitions (new versions replace old ones; user ones are never touched).

        One stored as it is bundled is not checked again (each start would load the schema checker and import
        the definitions' checks)."""
        now = self.ctx.clock()
        with self.ctx.new_uow() as uow:
            s = uow.session
            for source, data in self.builtin_bodies():
                name = data.get("name") if isinstance(data, dict) else None
                stored = s.get(DefRec, name) if isinstance(name, str) else None
                if stored is not None and stored.origin == "builtin" and stored.body == data:
                    continue
                from app.workflows.definition import parse_definition

                defn = parse_definition(data, source=source)
                rec = s.get(DefRec, defn.name)
                if rec is None:
                    s.add(DefRec(name=defn.name, version=defn.version, origin="builtin", body=dict(defn.raw), updated_at=now))
                elif rec.origin == "builtin" and (rec.version != defn.version or rec.body != dict(defn.raw)):
                    rec.version, rec.body, rec.updated_at = defn.version, dict(defn.raw), now
            uow.commit()
        self.invalidate()

    @operation
    def list_definitions(self) -> list[DefinitionRow]:
        def compute() -> list[DefinitionRow]:
            from app.workflows.definition import stored_definition

            with self.ctx.new_uow() as uow:
                recs = [(r.body, r.origin) for r in uow.session.scalars(select(DefRec).order_by(DefRec.name))]
                counts = {str(w): int(n) for w, n in uow.session.execute(select(RunRec.workflow, func.count()).group_by(RunRec.workflow))}
            out: list[DefinitionRow] = []
            for body, origin in recs:
                defn = stored_definition(body, source=str(body.get("name")))  # checked when stored
                missing = self.registry.missing(defn)
                out.append({
                    "name": defn.name,
                    "title": defn.title or defn.name,
                    "version": defn.version,
                    "origin": origin,
                    "description": defn.description,
                    "steps": defn.step_names(),
                    "inputs": [{"name": i.name, "type": i.type, "required": i.required, "default": i.default,
                                "description": i.description} for i in defn.inputs],
                    "missing_actions": missing,
                    "runnable": not missing,
                    "runs": int(counts.get(defn.name, 0)),
                })
            return out

        return self.cached(("defs",), compute)

    @operation
    def get_definition(self, name: str) -> WorkflowDefinition:
        from app.workflows.definition import stored_definition

        with self.ctx.new_uow() as uow:
            rec = uow.session.get(DefRec, name)
            if rec is None:
                known = ", ".join(uow.session.scalars(select(DefRec.name).order_by(DefRec.name)))
                raise NotFoundError(f"no workflow named {name!r}; known workflows: {known or 'none'}",
                                    remedy=ImportWorkflow())
            body = rec.body
        return stored_definition(body, source=name)  # checked when stored

    @operation
    def import_definition(self, path: Path, *, replace: bool = False) -> WorkflowDefinition:
        from app.workflows.definition import load_text

        path = Path(path)
        self.require(path.is_file(), f"{path} is not a file; give a workflow definition (.json or .toml)")
        fmt = "toml" if path.suffix.lower() == ".toml" else "json"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read {path}: {exc}") from exc
        defn = load_text(text, fmt=fmt, source=path.name)
        self.registry.check(defn)
        with self.ctx.new_uow() as uow:
            rec = uow.session.get(DefRec, defn.name)
            if rec is not None and rec.origin == "builtin":
                raise UserError(f"{defn.name!r} is a built-in workflow; give yours another name")
            if rec is not None and not replace:
                raise UserError(f"a workflow named {defn.name!r} exists already", remedy=ReplaceWorkflow(defn.name))
            if rec is None:
                uow.session.add(DefRec(name=defn.name, version=defn.version, origin="user", body=dict(defn.raw), updated_at=self.ctx.clock()))
            else:
                rec.version, rec.body, rec.updated_at = defn.version, dict(defn.raw), self.ctx.clock()
            uow.record(WorkflowImported(workflow=defn.name, version=defn.version, origin=str(path)))
            uow.commit()
        self.invalidate()
        return defn

    def parse_inputs(self, name: str, pairs: list[str]) -> JsonObject:
        """``["k=v", ...]`` -> typed inputs of workflow ``name``."""
        defn = self.get_definition(name)
        return self._parse_pairs(defn, pairs)

    @staticmethod
    def _parse_pairs(defn: WorkflowDefinition, pairs: list[str]) -> JsonObject:
        from app.workflows.definition import coerce_input

        specs = {i.name: i for i in defn.inputs}
        out: JsonObject = {}
        for pair in pairs:
            if "=" not in pair:
                raise UserError(f"an input needs NAME=VALUE, got {pair!r}")
            key, value = pair.split("=", 1)
            spec = specs.get(key.strip())
            if spec is None:
                raise UserError(f"workflow {defn.name!r} has no input {key!r}; its inputs are: {', '.join(specs) or 'none'}")
            out[spec.name] = coerce_input(spec, value)
        return out

    # ------------------------------------------------------------------ runs
    @operation
    def start(self, name: str, inputs: Mapping[str, JsonValue] | None = None) -> str:
        """Start a run on the current asyncio loop; returns its id immediately."""
        defn = self.get_definition(name)
        run_id = self.temporal.start(defn, inputs or {}) if self.temporal is not None else self.engine.start(defn, inputs or {})
        self.invalidate()
        return run_id

    async def run(self, name: str, inputs: Mapping[str, JsonValue] | None = None) -> str:
        run_id = self.start(name, inputs)
        await self.wait(run_id)
        self.invalidate()
        return run_id

    @operation
    def resume(self, run_id: str, *, force: bool = False) -> str:
        self.invalidate()
        full, temporal = self._on_temporal(run_id)
        if temporal is not None:
            return temporal.resume(full)
        return self.engine.resume(full, force=force)

    @operation
    def compensate(self, run_id: str, *, force: bool = False) -> str:
        self.invalidate()
        full, temporal = self._on_temporal(run_id)
        if temporal is not None:
            return temporal.compensate(full)  # its undo workflow; nothing is left interrupted there, so no force
        return self.engine.compensate(full, force=force)

    @operation
    def cancel(self, run_id: str) -> str:
        self.invalidate()
        full, temporal = self._on_temporal(run_id)
        return temporal.cancel(full) if temporal is not None else self.engine.cancel(full)

    @operation
    def rerun(self, run_id: str, from_step: str, inputs: list[str] | Mapping[str, JsonValue] | None = None, *, force: bool = False) -> str:
        from app.workflows.definition import parse_definition

        full, temporal = self._on_temporal(run_id)
        if temporal is not None:
            defn = self.get_definition(str(temporal.describe(full)["workflow"]))
            overrides = self._parse_pairs(defn, inputs) if isinstance(inputs, list) else dict(inputs or {})
            self.invalidate()
            return temporal.rerun(full, defn, from_step, overrides)
        run, _ = self.engine._load(full)
        defn = parse_definition(run.definition, source=full)
        overrides = self._parse_pairs(defn, inputs) if isinstance(inputs, list) else dict(inputs or {})
        self.invalidate()
        return self.engine.rerun(full, from_step, overrides, force=force)

    @operation
    def approve(self, run_id: str, step: str | None = None, *, approved: bool = True, note: str = "") -> str:
        full, temporal = self._on_temporal(run_id)
        detail = self.show(full)
        if step is None:
            step = self._waiting_approval(full, detail)
        if temporal is None:
            self.engine.approve(full, step, approved=approved, note=note)  # records approval_given with the run's state
            return step
        temporal.approve(full, step, approved=approved, note=note)  # the workflow's approve signal
        with self.ctx.new_uow() as uow:
            uow.record(wf_events.ApprovalGiven(run_id=full, workflow=detail["workflow"], step=step, approved=approved,
                                               note=note, correlation_id=full))
            uow.commit()
        return step

    # -- the same writes from a coroutine on the GUI's loop ------------------------------------------
    # Lookups, checks and writes run in a worker thread (asyncio.to_thread); only a run's task is
    # spawned on the loop. Temporal's calls go to its own client loop from that worker.
    async def start_async(self, name: str, inputs: Mapping[str, JsonValue] | None = None) -> str:
        defn = await asyncio.to_thread(self.get_definition, name)
        if self.temporal is not None:
            run_id = await asyncio.to_thread(self.temporal.start, defn, inputs or {})
        else:
            run_id = await self.engine.start_async(defn, inputs or {})
        self.invalidate()
        return run_id

    async def _on_engine_or_temporal(self, run_id: str, on_temporal: Callable[[TemporalRuns, str], str],
                                     on_engine: Callable[[str], Awaitable[str]]) -> str:
        """A run-level write routed to where the run lives: Temporal's call from a worker, or the engine's coroutine."""
        self.invalidate()
        full, temporal = await asyncio.to_thread(self._on_temporal, run_id)
        if temporal is not None:
            return await asyncio.to_thread(on_temporal, temporal, full)
        return await on_engine(full)

    async def resume_async(self, run_id: str, *, force: bool = False) -> str:
        return await self._on_engine_or_temporal(run_id, lambda t, full: t.resume(full),
                                                 lambda full: self.engine.resume_async(full, force=force))

    async def compensate_async(self, run_id: str, *, force: bool = False) -> str:
        return await self._on_engine_or_temporal(run_id, lambda t, full: t.compensate(full),
                                                 lambda full: self.engine.compensate_async(full, force=force))

    async def cancel_async(self, run_id: str) -> str:
        return await self._on_engine_or_temporal(run_id, lambda t, full: t.cancel(full), self.engine.cancel_async)

    async def rerun_async(self, run_id: str, from_step: str, inputs: list[str] | Mapping[str, JsonValue] | None = None, *,
                          force: bool = False) -> str:
        from app.workflows.definition import parse_definition

        full, temporal = await asyncio.to_thread(self._on_temporal, run_id)
        if temporal is not None:
            return await asyncio.to_thread(self.rerun, full, from_step, inputs, force=force)  # spawns nothing here
        run, _ = await asyncio.to_thread(self.engine._load, full)
        defn = parse_definition(run.definition, source=full)
        overrides = self._parse_pairs(defn, inputs) if isinstance(inputs, list) else dict(inputs or {})
        self.invalidate()
        return await self.engine.rerun_async(full, from_step, overrides, force=force)

    async def approve_async(self, run_id: str, step: str | None = None, *, approved: bool = True,
                            note: str = "") -> str:
        full, temporal = await asyncio.to_thread(self._on_temporal, run_id)
        if temporal is not None:
            return await asyncio.to_thread(self.approve, full, step, approved=approved, note=note)
        if step is None:
            step = await asyncio.to_thread(self._waiting_approval, full)
        await self.engine.approve_async(full, step, approved=approved, note=note)
        return step

    def _waiting_approval(self, run_id: str, detail: RunDetail | None = None) -> str:
        """The step of ``run_id`` waiting for an approval (refused with one line when none is)."""
        from services.workflows.temporal.shapes import APPROVAL_ACTION  # when asked: start-up needs no shapes

        shown = self.show(run_id) if detail is None else detail
        waiting = [s["name"] for s in shown["steps"] if s["action"] == APPROVAL_ACTION and s["status"] in ("running", "pending")]
        self.require(waiting, f"run {run_id} has no step waiting for approval")
        return str(waiting[0])

    async def wait(self, run_id: str) -> RunStatus:
        if self.temporal is not None and not self.engine.is_live(run_id):
            full, temporal = self._on_temporal(run_id)
            if temporal is not None:
                return await temporal.wait(full)
        return await self.engine.wait(run_id)

    def recover(self) -> list[str]:
        ids = self.engine.recover()
        self.invalidate()
        return ids

    def _full_id(self, run_id: str) -> str:
        """Accept a unique prefix of a run id (at least 6 characters), like git."""
        run_id = run_id.strip()
        if len(run_id) == 32:
            return run_id
        with self.ctx.new_uow() as uow:
            return resolve_id(uow.session, RunRec.id, run_id, what="workflow run", min_len=6,
                              remedy=WorkflowHistory())

    @operation
    def show(self, run_id: str) -> RunDetail:
        full, temporal = self._on_temporal(run_id)
        if temporal is not None:
            return temporal.show(full)
        run, steps = self.engine._load(full)
        return {**run_to_dict(run), "steps": [step_to_dict(s) for s in steps], "live": self.engine.is_live(full)}

    @operation
    def history(self, name: str | None = None, *, limit: int = 50, status: str | None = None) -> list[RunRow]:
        with self.ctx.new_uow() as uow:
            q = select(RunRec).order_by(RunRec.created_at.desc()).limit(limit)
            if name:
                q = q.where(RunRec.workflow == name)
            if status:
                q = q.where(RunRec.status == status)
            rows = list(uow.session.scalars(q))
            if name and not rows and uow.session.get(DefRec, name) is None:
                raise NotFoundError(f"no workflow named {name!r}", remedy=ListWorkflows())
            local = [run_to_dict(r) for r in rows]
        if self.temporal is None:
            return local
        # the studio's runs from Temporal's visibility, beside the runs this store ran in-process
        both = self.temporal.history(name, limit=limit, status=status) + local
        return sorted(both, key=lambda r: str(r["created_at"] or ""), reverse=True)[:limit]

    def events_of(self, run_id: str) -> list[Event]:
        """The run's persisted ``workflow.*`` events, oldest first (what its state is the fold of)."""
        from services.events.store import EventQuery

        rows = self.ctx.bus.history(EventQuery(correlation_id=run_id, types=["workflow.*"], limit=100_000, oldest_first=True))
        return [r.event for r in rows]

    def health(self) -> Health:
        temporal = self.temporal.config if self.temporal is not None else None
        return runs_health(self.ctx, temporal, leases=self.engine.leases, live=self.engine.live_ids())


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str)
