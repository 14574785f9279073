"""The durable workflow engine: sagas over SQLite, on the asyncio (qasync) loop, crash-safe.

Write-ahead: every step's start (with its attempt number and resolved inputs), every failed
attempt, its output and its end are committed, with their events, before the engine moves
on. A process that dies mid-step therefore leaves a run whose status is ``running`` and one
step ``running``; :meth:`WorkflowEngine.recover` (called at start-up) marks such runs
``interrupted`` so the user can resume (only re-running the in-flight step if its action is
idempotent), compensate, or re-run from a chosen step.

Every event the engine records, and every event the actions cause through other services,
carries the run id as its correlation id (``services.events.bus.correlation``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert, select, update

from app.errors import ConflictError, NotFoundError, UserError
from app.events import Event
from app.workflows import events as ev
from app.workflows.definition import StepDefinition, WorkflowDefinition, bind_inputs, parse_definition
from app.workflows.expr import ExpressionError, evaluate_condition, resolve
from app.workflows.model import Phase, RunStatus, StepStatus
from services.actions import ActionContext, ActionRegistry, ActionSpec
from services.context import ServiceContext
from services.db.backend import driver_sql
from services.events.bus import correlation, stamp
from services.processes import owner_alive, process_start
from services.workflows.models import WorkflowRunRecord as RunRec
from services.workflows.models import WorkflowStepRecord as StepRec

log = logging.getLogger(__name__)

ACTIVE = (RunStatus.PENDING.value, RunStatus.RUNNING.value, RunStatus.COMPENSATING.value)


@dataclass
class _Step:
    name: str
    position: int
    action: str
    status: StepStatus
    attempts: int = 0
    output: dict[str, Any] | None = None
    started_at: datetime | None = None
    ended: bool = False  # it ran to its end once (else its output holds only what it remembered)


@dataclass
class _Live:
    """An in-memory mirror of one run this process is executing."""

    run_id: str
    defn: WorkflowDefinition
    inputs: dict[str, Any]
    steps: dict[str, _Step]
    phase: Phase = Phase.FORWARD
    task: asyncio.Task[RunStatus] | None = None
    actx: ActionContext | None = None
    current: asyncio.Future[Any] | None = None
    cancel: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    started: float = field(default_factory=time.monotonic)
    error: str | None = None
    failed_step: str | None = None
    # set by compensate(): the user asked for the undo (the run did not fail now); the status it had
    requested_after: RunStatus | None = None


def _error_types(exc: BaseException) -> tuple[str, ...]:
    return tuple(c.__name__ for c in type(exc).__mro__ if c not in (object, BaseException))


def _describe(exc: BaseException, timeout: float | None) -> tuple[str, str]:
    if isinstance(exc, TimeoutError):
        return "TimeoutError", f"timed out after {timeout:g}s" if timeout else (str(exc) or "timed out")
    return type(exc).__name__, str(exc) or type(exc).__name__


def _jsonable(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    data = dict(value) if isinstance(value, Mapping) else {"value": value}
    return dict(json.loads(json.dumps(data, default=str)))


class _FastUpdate:
    """``UPDATE table SET ... WHERE keys`` through the driver, with the columns' own bind processors.

    Building SQLAlchemy statements cost more than SQLite itself on the per-step path; the SQL
    for each set of columns is built once and the values still go through the column types
    (UTC datetimes, JSON text, booleans), so rows read back exactly as ORM-written ones.
    """

    def __init__(self, table: Table, keys: tuple[str, ...], dialect: Dialect) -> None:
        self._table = table
        self._keys = keys
        self._procs: dict[str, Callable[[Any], Any] | None] = {
            c.name: c.type.bind_processor(dialect) for c in table.columns
        }
        self._sql: dict[tuple[str, ...], str] = {}
        self._dialect = dialect

    def __call__(self, conn: Connection, key_values: tuple[Any, ...], values: Mapping[str, Any]) -> None:
        cols = tuple(values)
        sql = self._sql.get(cols)
        if sql is None:
            for c in cols:
                if c not in self._procs:
                    raise KeyError(f"{self._table.name} has no column {c!r}")
            sets = ", ".join(f"{c} = ?" for c in cols)
            where = " AND ".join(f"{k} = ?" for k in self._keys)
            sql = self._sql[cols] = driver_sql(self._dialect, f"UPDATE {self._table.name} SET {sets} WHERE {where}")
        params = []
        for c in cols:
            proc = self._procs[c]
            v = values[c]
            params.append(proc(v) if proc is not None and v is not None else v)
        conn.exec_driver_sql(sql, (*params, *key_values))


def current_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


class WorkflowEngine:
    """Runs workflow definitions durably. Several runs may proceed at once on one loop."""

    cancel_poll_interval = 0.5

    def __init__(self, ctx: ServiceContext, registry: ActionRegistry) -> None:
        self.ctx = ctx
        self.registry = registry
        # "<process start time>:<random>": tells this engine apart, and survives pid reuse checks
        self.token = f"{process_start(os.getpid())}:{uuid.uuid4().hex[:12]}"
        self._live: dict[str, _Live] = {}
        self._approvals: dict[tuple[str, str], asyncio.Event] = {}
        self._watcher: asyncio.Task[None] | None = None
        dialect = ctx.engine.dialect
        self._run_update = _FastUpdate(RunRec.__table__, ("id",), dialect)  # type: ignore[arg-type]
        self._step_update = _FastUpdate(StepRec.__table__, ("run_id", "position"), dialect)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ persistence
    def _commit(
        self,
        run_id: str,
        *,
        run: Mapping[str, Any] | None = None,
        step: tuple[int, Mapping[str, Any]] | None = None,
        events: Iterable[Event] = (),
    ) -> None:
        """One transaction: the row changes and their events; events are dispatched after commit.

        This is the engine's hot path (two per step), so it uses a Core connection rather than
        an ORM session; the semantics are the unit of work's (same transaction, publish after commit).
        """
        with correlation(run_id):
            stamped = [stamp(e) for e in events]
        bus = self.ctx.bus
        with self.ctx.engine.begin() as conn:
            if run:
                self._run_update(conn, (run_id,), run)
            if step is not None:
                pos, values = step
                self._step_update(conn, (run_id, pos), values)
            bus.store.append(conn, stamped)
        bus.dispatch(stamped)

    def _load(self, run_id: str) -> tuple[RunRec, list[StepRec]]:
        with self.ctx.new_uow() as uow:
            run = uow.session.get(RunRec, run_id)
            if run is None:
                raise NotFoundError(f"no workflow run {run_id!r}; see `trendforge workflow history NAME`")
            steps = list(uow.session.scalars(select(StepRec).where(StepRec.run_id == run_id).order_by(StepRec.position)))
            uow.session.expunge_all()
            return run, steps

    def _live_from_db(self, run: RunRec, steps: list[StepRec]) -> _Live:
        defn = parse_definition(run.definition, source=f"run {run.id}")
        return _Live(
            run_id=run.id,
            defn=defn,
            inputs=dict(run.inputs or {}),
            steps={
                s.name: _Step(s.name, s.position, s.action, StepStatus(s.status), s.attempts, s.output, s.started_at,
                              ended=s.ended_at is not None)
                for s in steps
            },
            phase=Phase(run.phase),
            error=run.error,
            failed_step=run.failed_step,
        )

    def _ev(self, live: _Live, cls: type[ev.WorkflowEvent], **kw: Any) -> ev.WorkflowEvent:
        return cls(run_id=live.run_id, workflow=live.defn.name, correlation_id=live.run_id, **kw)

    # ------------------------------------------------------------------ creating runs
    def create_run(
        self,
        defn: WorkflowDefinition,
        inputs: Mapping[str, Any],
        *,
        rerun_of: str | None = None,
        from_step: str | None = None,
        reuse: Mapping[str, StepRec] | None = None,
    ) -> str:
        missing = self.registry.missing(defn)
        if missing:
            raise UserError(
                f"workflow {defn.name!r} cannot run here: no action {', '.join(missing)} is registered "
                "(the area providing it is not installed in this build)"
            )
        bound = bind_inputs(defn, inputs)
        run_id = uuid.uuid4().hex
        now = self.ctx.clock()
        reuse = reuse or {}
        step_rows: list[dict[str, Any]] = []
        events: list[Event] = [
            ev.WorkflowStarted(
                run_id=run_id, workflow=defn.name, inputs=bound, rerun_of=rerun_of, from_step=from_step, correlation_id=run_id
            )
        ]
        for pos, s in enumerate(defn.steps):
            old = reuse.get(s.name)
            row: dict[str, Any] = {
                "run_id": run_id,
                "position": pos,
                "name": s.name,
                "action": s.action,
                "status": StepStatus.PENDING.value,
                "attempts": 0,
                "inputs": None,
                "output": None,
                "reused": False,
                "compensation_action": s.compensation.action if s.compensation else None,
                "compensation_attempts": 0,
            }
            if old is not None:
                row.update(
                    status=old.status, attempts=old.attempts, inputs=old.inputs, output=old.output,
                    started_at=old.started_at, ended_at=old.ended_at, reused=True,
                )
                if old.status == StepStatus.SUCCEEDED.value:
                    events.append(ev.StepSucceeded(run_id=run_id, workflow=defn.name, step=s.name, attempt=old.attempts,
                                                   output=old.output or {}, reused=True, correlation_id=run_id))
                else:
                    events.append(ev.StepSkipped(run_id=run_id, workflow=defn.name, step=s.name,
                                                 condition=s.condition or "", correlation_id=run_id))
            step_rows.append(row)
        with correlation(run_id), self.ctx.new_uow() as uow:
            uow.session.execute(
                insert(RunRec).values(
                    id=run_id, workflow=defn.name, version=defn.version, definition=dict(defn.raw),
                    status=RunStatus.RUNNING.value, phase=Phase.FORWARD.value, inputs=bound, created_at=now,
                    started_at=now, owner_pid=os.getpid(), owner_token=self.token, cancel_requested=False,
                    rerun_of=rerun_of, signals={},
                )
            )
            uow.session.execute(insert(StepRec), step_rows)
            uow.record(*events)
            uow.commit()
        return run_id

    def start(self, defn: WorkflowDefinition, inputs: Mapping[str, Any]) -> str:
        """Create a run and schedule it on the current loop; returns the run id at once."""
        run_id = self.create_run(defn, inputs)
        self._spawn(run_id)
        return run_id

    async def run(self, defn: WorkflowDefinition, inputs: Mapping[str, Any]) -> str:
        """Create a run and wait until it reaches a final (or interrupted) state."""
        run_id = self.start(defn, inputs)
        await self.wait(run_id)
        return run_id

    async def wait(self, run_id: str) -> RunStatus:
        live = self._live.get(run_id)
        if live is not None and live.task is not None:
            status = await asyncio.shield(live.task)
            await self._stop_watcher_if_idle()
            return status
        return RunStatus(self._load(run_id)[0].status)

    async def _stop_watcher_if_idle(self) -> None:
        watcher = self._watcher
        if self._live or watcher is None:
            return
        self._watcher = None
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher

    def is_live(self, run_id: str) -> bool:
        return run_id in self._live

    def live_ids(self) -> list[str]:
        return list(self._live)

    def _spawn(self, run_id: str) -> _Live:
        run, steps = self._load(run_id)
        live = self._live_from_db(run, steps)
        self._live[run_id] = live
        loop = current_loop()
        live.task = loop.create_task(self._drive(live), name=f"workflow-{run_id}")
        if self._watcher is None or self._watcher.done():
            self._watcher = loop.create_task(self._watch_cancel_requests(), name="workflow-cancel-watcher")
        return live

    # ------------------------------------------------------------------ the run loop
    async def _drive(self, live: _Live) -> RunStatus:
        try:
            with correlation(live.run_id):
                if live.phase == Phase.COMPENSATE:
                    return await self._compensate(live)
                return await self._forward(live)
        except asyncio.CancelledError:
            # the loop is shutting down under us: leave the run 'running' so the next start-up
            # marks it interrupted (exactly what a crash would leave)
            raise
        except Exception as exc:
            log.exception("workflow engine error in run %s", live.run_id)
            self._commit(
                live.run_id,
                run={"status": RunStatus.FAILED.value, "error": f"engine error: {exc}", "ended_at": self.ctx.clock()},
                events=[self._ev(live, ev.WorkflowFailed, status=RunStatus.FAILED.value, error=f"engine error: {exc}")],
            )
            return RunStatus.FAILED
        finally:
            self._live.pop(live.run_id, None)
            if not self._live and self._watcher is not None:
                self._watcher.cancel()

    def _scope(self, live: _Live) -> dict[str, Any]:
        return {
            "ctx": {**live.inputs, "run_id": live.run_id, "workflow": live.defn.name},
            "steps": {n: {"output": s.output or {}, "status": s.status.value} for n, s in live.steps.items()},
        }

    async def _forward(self, live: _Live) -> RunStatus:
        for step in live.defn.steps:
            st = live.steps[step.name]
            if st.status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED):
                continue
            if live.cancel:
                return self._finish_cancel(live, None)
            if step.condition:
                try:
                    go = evaluate_condition(step.condition, self._scope(live))
                except ExpressionError as exc:
                    self._fail_step_early(live, step, exc)
                    return await self._compensate(live)
                if not go:
                    st.status = StepStatus.SKIPPED
                    self._commit(
                        live.run_id,
                        step=(st.position, {"status": StepStatus.SKIPPED.value, "ended_at": self.ctx.clock()}),
                        events=[self._ev(live, ev.StepSkipped, step=step.name, condition=step.condition)],
                    )
                    continue
            outcome = await self._run_step(live, step)
            if outcome is None:
                return self._finish_cancel(live, step.name)
            if not outcome:
                return await self._compensate(live)
        duration = time.monotonic() - live.started
        self._commit(
            live.run_id,
            run={"status": RunStatus.SUCCEEDED.value, "ended_at": self.ctx.clock(), "owner_pid": None},
            events=[self._ev(live, ev.WorkflowCompleted, duration=round(duration, 6))],
        )
        return RunStatus.SUCCEEDED

    def _fail_step_early(self, live: _Live, step: StepDefinition, exc: BaseException) -> None:
        """A step that could not even start (bad reference, unknown action, bad inputs)."""
        st = live.steps[step.name]
        st.status = StepStatus.FAILED
        etype, msg = _describe(exc, None)
        live.error, live.failed_step = f"{step.name}: {msg}", step.name
        self._commit(
            live.run_id,
            step=(st.position, {"status": StepStatus.FAILED.value, "error": msg, "error_type": etype, "ended_at": self.ctx.clock()}),
            events=[self._ev(live, ev.StepFailed, step=step.name, attempt=st.attempts, error=msg, error_type=etype)],
        )

    async def _run_step(self, live: _Live, step: StepDefinition) -> bool | None:
        """Run one step with its retry policy. True: succeeded, False: failed, None: cancelled."""
        st = live.steps[step.name]
        try:
            spec = self.registry.get(step.action)
            resolved = resolve(dict(step.inputs), self._scope(live))
            bound = spec.bind(resolved)
        except UserError as exc:
            self._fail_step_early(live, step, exc)
            return False
        policy = step.retry
        attempt = st.attempts
        while True:
            attempt += 1
            now = self.ctx.clock()
            st.status, st.attempts = StepStatus.RUNNING, attempt
            st.started_at = st.started_at or now
            self._commit(
                live.run_id,
                step=(st.position, {"status": StepStatus.RUNNING.value, "attempts": attempt, "inputs": resolved,
                                    "started_at": st.started_at, "error": None, "error_type": None}),
                events=[self._ev(live, ev.StepStarted, step=step.name, action=step.action, attempt=attempt)],
            )
            actx = self._action_context(live, step.name, attempt)
            try:
                result = await self._invoke(live, spec, bound, actx, step.timeout)
            except asyncio.CancelledError:
                if not live.cancel:
                    raise
                return None
            except Exception as exc:  # noqa: BLE001 - an action failure: recorded, maybe retried
                etype, msg = _describe(exc, step.timeout)
                types = ("TimeoutError", *_error_types(exc)) if isinstance(exc, TimeoutError) else _error_types(exc)
                will_retry = attempt < policy.max_attempts and policy.retryable(types) and not live.cancel
                delay = policy.delay(attempt) if will_retry else 0.0
                values: dict[str, Any] = {"error": msg, "error_type": etype}
                if not will_retry:
                    values.update(status=StepStatus.FAILED.value, ended_at=self.ctx.clock())
                    st.status = StepStatus.FAILED
                    live.error, live.failed_step = f"{step.name}: {msg}", step.name
                self._commit(
                    live.run_id,
                    step=(st.position, values),
                    events=[self._ev(live, ev.StepFailed, step=step.name, attempt=attempt, error=msg, error_type=etype,
                                     will_retry=will_retry, retry_in=delay)],
                )
                if not will_retry:
                    return False
                if not await self._sleep(live, delay):
                    return None
                continue
            finally:
                live.actx = None
            output = _jsonable(result)
            st.status, st.output, st.ended = StepStatus.SUCCEEDED, output, True
            self._commit(
                live.run_id,
                step=(st.position, {"status": StepStatus.SUCCEEDED.value, "output": output, "ended_at": self.ctx.clock()}),
                events=[self._ev(live, ev.StepSucceeded, step=step.name, attempt=attempt, output=output)],
            )
            return True

    def _action_context(self, live: _Live, step: str, attempt: int, *, forward: bool = True) -> ActionContext:
        st = live.steps[step]

        def remember(values: dict[str, Any]) -> None:
            st.output = {**(st.output or {}), **_jsonable(values)}
            self._commit(live.run_id, step=(st.position, {"output": st.output}))

        actx = ActionContext(
            run_id=live.run_id, workflow=live.defn.name, step=step, attempt=attempt,
            data_dir=self.ctx.data_dir, uow=self.ctx.new_uow, engine=self,
            remember=remember if forward else None,
        )
        live.actx = actx
        return actx

    async def _invoke(
        self, live: _Live, spec: ActionSpec, inputs: Mapping[str, Any], actx: ActionContext, timeout: float | None
    ) -> Any:
        if spec.is_async:
            awaitable: Any = spec.func(actx, **inputs)
        elif spec.blocking:
            awaitable = asyncio.to_thread(spec.func, actx, **inputs)
        else:
            result = spec.func(actx, **inputs)  # quick sync actions run inline on the loop
            if not inspect.isawaitable(result):
                return result
            awaitable = result
        if timeout:
            awaitable = asyncio.wait_for(awaitable, timeout)
        fut = asyncio.ensure_future(awaitable)
        live.current = fut
        try:
            return await fut
        finally:
            live.current = None

    async def _sleep(self, live: _Live, delay: float) -> bool:
        """Wait ``delay`` seconds between attempts; False if the run was cancelled meanwhile."""
        if live.cancel:
            return False
        live.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(live.wake.wait(), delay)
        return not live.cancel

    def _finish_cancel(self, live: _Live, step: str | None) -> RunStatus:
        now = self.ctx.clock()
        events: list[Event] = []
        step_update: tuple[int, Mapping[str, Any]] | None = None
        if step is not None:
            st = live.steps[step]
            st.status = StepStatus.CANCELLED
            step_update = (st.position, {"status": StepStatus.CANCELLED.value, "ended_at": now, "error": "cancelled"})
            events.append(self._ev(live, ev.StepCancelled, step=step))
        events.append(self._ev(live, ev.WorkflowCancelled, step=step))
        self._commit(
            live.run_id,
            run={"status": RunStatus.CANCELLED.value, "ended_at": now, "owner_pid": None, "error": "cancelled by the user"},
            step=step_update,
            events=events,
        )
        return RunStatus.CANCELLED

    # ------------------------------------------------------------------ compensation
    async def _compensate(self, live: _Live) -> RunStatus:
        began = time.monotonic()
        live.phase = Phase.COMPENSATE
        self._commit(
            live.run_id,
            run={"status": RunStatus.COMPENSATING.value, "phase": Phase.COMPENSATE.value,
                 "error": live.error, "failed_step": live.failed_step},
        )
        undoable = (StepStatus.SUCCEEDED, StepStatus.INTERRUPTED, StepStatus.COMPENSATING, StepStatus.COMPENSATION_FAILED)
        any_done = any_failed = False
        for step in reversed(live.defn.steps):
            st = live.steps[step.name]
            if step.compensation is None or st.status not in undoable:
                continue
            comp = step.compensation
            st.status = StepStatus.COMPENSATING
            self._commit(
                live.run_id,
                step=(st.position, {"status": StepStatus.COMPENSATING.value, "compensation_error": None}),
                events=[self._ev(live, ev.StepCompensating, step=step.name, action=comp.action)],
            )
            ok, error, attempts = await self._run_compensation(live, step)
            any_done = True
            any_failed = any_failed or not ok
            st.status = StepStatus.COMPENSATED if ok else StepStatus.COMPENSATION_FAILED
            self._commit(
                live.run_id,
                step=(st.position, {"status": st.status.value, "compensation_error": error or None,
                                    "compensation_attempts": attempts, "compensated_at": self.ctx.clock()}),
                events=[self._ev(live, ev.StepCompensated, step=step.name, ok=ok, error=error)],
            )
        # from every step's state, not only this pass: a resumed compensation may find earlier undos done
        statuses = {st.status for st in live.steps.values()}
        any_failed = any_failed or StepStatus.COMPENSATION_FAILED in statuses
        any_done = any_done or StepStatus.COMPENSATED in statuses
        duration = round(time.monotonic() - began, 6)
        if live.requested_after is not None:
            # asked for (after success, an interruption...): record the undo, not a failure of the run
            final = RunStatus.COMPENSATION_FAILED if any_failed else RunStatus.COMPENSATED
            event = self._ev(live, ev.WorkflowCompensated, status=final.value, after=live.requested_after.value,
                             duration=duration, error=live.error if any_failed and live.error else "")
            run_values: dict[str, Any] = {"status": final.value, "ended_at": self.ctx.clock(), "owner_pid": None}
            if not any_failed and live.requested_after is RunStatus.SUCCEEDED:
                run_values["error"] = None  # nothing went wrong: the user undid a good run
        else:
            final = RunStatus.COMPENSATION_FAILED if any_failed else RunStatus.COMPENSATED if any_done else RunStatus.FAILED
            event = self._ev(live, ev.WorkflowFailed, status=final.value, step=live.failed_step or "", error=live.error or "")
            run_values = {"status": final.value, "ended_at": self.ctx.clock(), "owner_pid": None}
        self._commit(live.run_id, run=run_values, events=[event])
        return final

    async def _run_compensation(self, live: _Live, step: StepDefinition) -> tuple[bool, str, int]:
        assert step.compensation is not None
        comp = step.compensation
        try:
            spec = self.registry.get(comp.action)
        except UserError as exc:
            return False, str(exc), 0
        try:
            bound = spec.bind(resolve(dict(comp.inputs), self._scope(live)))
        except UserError as exc:
            if not live.steps[step.name].ended:
                # interrupted before it knew (and remembered) what its undo needs: it left nothing to undo
                return True, "", 0
            return False, str(exc), 0
        attempt = 0
        while True:
            attempt += 1
            actx = self._action_context(live, step.name, attempt, forward=False)
            try:
                await self._invoke(live, spec, bound, actx, comp.timeout)
                return True, "", attempt
            except asyncio.CancelledError:
                if not live.cancel:
                    raise
                live.cancel = False  # a cancel never stops an undo half-way; it is recorded as failed
                return False, "cancelled during compensation", attempt
            except Exception as exc:  # noqa: BLE001 - recorded, never swallowed
                etype, msg = _describe(exc, comp.timeout)
                if attempt < comp.retry.max_attempts and comp.retry.retryable(_error_types(exc)):
                    await asyncio.sleep(comp.retry.delay(attempt))
                    continue
                return False, f"{etype}: {msg}", attempt
            finally:
                live.actx = None

    # ------------------------------------------------------------------ cancel
    def cancel(self, run_id: str) -> str:
        """Cancel a run. Returns 'cancelling' (live here), 'requested' (another process runs it) or 'cancelled'."""
        live = self._live.get(run_id)
        if live is not None:
            if live.phase == Phase.COMPENSATE:
                raise ConflictError(f"run {run_id} is compensating; an undo is not cancelled half-way")
            live.cancel = True
            if live.actx is not None:
                for err in live.actx.fire_cancel():
                    log.warning("cancel hook of run %s failed: %s", run_id, err)
            if live.current is not None and not live.current.done():
                live.current.cancel()
            live.wake.set()
            return "cancelling"
        run, steps = self._load(run_id)
        status = RunStatus(run.status)
        if status.final:
            raise ConflictError(f"run {run_id} is already {status.value}")
        if status.active and owner_alive(run.owner_pid, run.owner_token) and run.owner_token != self.token:
            self._commit(run_id, run={"cancel_requested": True})
            return "requested"
        live = self._live_from_db(run, steps)
        in_flight = next((s.name for s in live.steps.values() if s.status in (StepStatus.RUNNING, StepStatus.INTERRUPTED)), None)
        self._finish_cancel(live, in_flight)
        return "cancelled"

    async def _watch_cancel_requests(self) -> None:
        """Honour cancels requested by another process (e.g. `workflow cancel` while the GUI runs it)."""
        while self._live:
            await asyncio.sleep(self.cancel_poll_interval)
            ids = list(self._live)
            if not ids:
                break
            with self.ctx.new_uow() as uow:
                wanted = list(uow.session.scalars(select(RunRec.id).where(RunRec.id.in_(ids), RunRec.cancel_requested.is_(True))))
            for run_id in wanted:
                live = self._live.get(run_id)
                if live is not None and not live.cancel and live.phase == Phase.FORWARD:
                    self.cancel(run_id)

    # ------------------------------------------------------------------ approvals
    def approve(self, run_id: str, step: str, *, approved: bool = True, note: str = "") -> None:
        run, _ = self._load(run_id)
        signals = dict(run.signals or {})
        signals[step] = {"decision": "approved" if approved else "rejected", "note": note}
        self._commit(run_id, run={"signals": signals})
        waiter = self._approvals.get((run_id, step))
        if waiter is not None:
            waiter.set()

    def signal(self, run_id: str, step: str) -> dict[str, Any] | None:
        with self.ctx.new_uow() as uow:
            signals = uow.session.scalar(select(RunRec.signals).where(RunRec.id == run_id)) or {}
        found = signals.get(step)
        return dict(found) if isinstance(found, Mapping) else None

    async def wait_signal(self, run_id: str, step: str, poll: float) -> dict[str, Any]:
        key = (run_id, step)
        waiter = self._approvals.setdefault(key, asyncio.Event())
        try:
            while True:
                found = self.signal(run_id, step)
                if found is not None:
                    return found
                waiter.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), poll)
        finally:
            self._approvals.pop(key, None)

    # ------------------------------------------------------------------ crash recovery
    def recover(self) -> list[str]:
        """Mark runs left in flight by a dead process as interrupted. Called at start-up."""
        me = os.getpid()
        with self.ctx.new_uow() as uow:
            rows = uow.session.execute(
                select(RunRec.id, RunRec.workflow, RunRec.owner_pid, RunRec.owner_token, RunRec.phase).where(RunRec.status.in_(ACTIVE))
            ).all()
        stale = [r for r in rows if r.owner_pid == me or not owner_alive(r.owner_pid, r.owner_token)]
        if not stale:
            return []
        ids = [r.id for r in stale]
        with self.ctx.new_uow() as uow:
            s = uow.session
            in_flight: dict[str, str] = {}
            for chunk in range(0, len(ids), 500):
                part = ids[chunk:chunk + 500]
                for run_id, name in s.execute(
                    select(StepRec.run_id, StepRec.name).where(StepRec.run_id.in_(part), StepRec.status == StepStatus.RUNNING.value)
                ):
                    in_flight[run_id] = name
                s.execute(
                    update(StepRec)
                    .where(StepRec.run_id.in_(part), StepRec.status == StepStatus.RUNNING.value)
                    .values(status=StepStatus.INTERRUPTED.value, error="interrupted: the process stopped during this step")
                )
                s.execute(
                    update(RunRec).where(RunRec.id.in_(part)).values(
                        status=RunStatus.INTERRUPTED.value, owner_pid=None, owner_token=None,
                        error="interrupted: the process running it stopped; resume, compensate or re-run it")
                )
            for r in stale:
                uow.record(
                    ev.WorkflowInterrupted(run_id=r.id, workflow=r.workflow, step=in_flight.get(r.id), phase=r.phase, correlation_id=r.id)
                )
            uow.commit()
        return ids

    def _claim(
        self,
        run_id: str,
        status: RunStatus,
        step_updates: Mapping[int, Mapping[str, Any]],
        event: Event,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        with correlation(run_id), self.ctx.new_uow() as uow:
            s = uow.session
            claimed = s.execute(
                update(RunRec)
                .where(RunRec.id == run_id, RunRec.status.in_([
                    RunStatus.INTERRUPTED.value, RunStatus.FAILED.value, RunStatus.CANCELLED.value,
                    RunStatus.SUCCEEDED.value, RunStatus.COMPENSATION_FAILED.value]))
                .values(status=status.value, owner_pid=os.getpid(), owner_token=self.token, cancel_requested=False,
                        ended_at=None, **(extra or {}))
            )
            if getattr(claimed, "rowcount", 1) != 1:
                raise ConflictError(f"run {run_id} changed meanwhile (another process took it); look again with `workflow show`")
            for pos, values in step_updates.items():
                s.execute(update(StepRec).where(StepRec.run_id == run_id, StepRec.position == pos).values(**values))
            uow.record(event)
            uow.commit()

    def _refuse_if_busy(self, run: RunRec) -> None:
        if run.id in self._live or (RunStatus(run.status).active and owner_alive(run.owner_pid, run.owner_token)):
            raise ConflictError(f"run {run.id} is still {run.status}; cancel it first (`workflow cancel {run.id}`)")
        if run.superseded_by:
            raise ConflictError(f"run {run.id} was re-run as {run.superseded_by}; act on that run instead")

    def resume(self, run_id: str, *, force: bool = False) -> str:
        run, steps = self._load(run_id)
        self._refuse_if_busy(run)
        status = RunStatus(run.status)
        if status != RunStatus.INTERRUPTED:
            hint = "" if status == RunStatus.SUCCEEDED else f"; use `workflow compensate {run_id}` or `workflow rerun {run_id} --from STEP`"
            raise ConflictError(f"run {run_id} is {status.value}, only interrupted runs can be resumed{hint}")
        live = self._live_from_db(run, steps)
        updates: dict[int, dict[str, Any]] = {}
        in_flight: str | None = None
        if live.phase == Phase.FORWARD:
            for st in live.steps.values():
                if st.status == StepStatus.INTERRUPTED:
                    in_flight = st.name
                    spec = self.registry.get(st.action)
                    if not spec.idempotent and not force:
                        raise ConflictError(
                            f"step {st.name!r} (action {st.action!r}) was running when the process stopped and is not "
                            f"idempotent: it may already have taken effect, so it is not run again. Use "
                            f"`workflow compensate {run_id}` to undo the completed steps, or "
                            f"`workflow rerun {run_id} --from {st.name} --force` to run it again"
                        )
                    updates[st.position] = {"status": StepStatus.PENDING.value}
            new_status = RunStatus.RUNNING
        else:
            self._check_compensations(live, force)
            new_status = RunStatus.COMPENSATING
        event = ev.WorkflowResumed(run_id=run_id, workflow=run.workflow, status=new_status.value, step=in_flight, correlation_id=run_id)
        self._claim(run_id, new_status, updates, event, {"error": live.error if live.phase == Phase.COMPENSATE else None})
        self._spawn(run_id)
        return run_id

    def _check_compensations(self, live: _Live, force: bool) -> None:
        for step in live.defn.steps:
            st = live.steps[step.name]
            if st.status == StepStatus.COMPENSATING and step.compensation is not None:
                spec = self.registry.get(step.compensation.action)
                if not spec.idempotent and not force:
                    raise ConflictError(
                        f"the compensation of step {step.name!r} ({step.compensation.action!r}) was running when the "
                        f"process stopped and is not idempotent; run `workflow compensate {live.run_id} --force` to run it again"
                    )

    def compensate(self, run_id: str, *, force: bool = False) -> str:
        run, steps = self._load(run_id)
        self._refuse_if_busy(run)
        status = RunStatus(run.status)
        if status in (RunStatus.COMPENSATED,):
            raise ConflictError(f"run {run_id} is already compensated")
        live = self._live_from_db(run, steps)
        undoable = (StepStatus.SUCCEEDED, StepStatus.INTERRUPTED, StepStatus.COMPENSATING, StepStatus.COMPENSATION_FAILED)
        if status.final and not any(
            step.compensation is not None and live.steps[step.name].status in undoable for step in live.defn.steps
        ):
            # nothing would be undone: leave the run (and its status and end time) exactly as it is
            raise ConflictError(
                f"run {run_id} has nothing to compensate: no step that ran has a compensating action; "
                f"it stays {status.value}"
            )
        self._check_compensations(live, force)
        event = ev.WorkflowResumed(run_id=run_id, workflow=run.workflow, status=RunStatus.COMPENSATING.value, correlation_id=run_id)
        extra = {"phase": Phase.COMPENSATE.value, "error": run.error or f"compensation requested after {status.value}"}
        self._claim(run_id, RunStatus.COMPENSATING, {}, event, extra)
        self._spawn(run_id).requested_after = status  # the task starts at the loop's next turn
        return run_id

    def rerun(self, run_id: str, from_step: str, overrides: Mapping[str, Any] | None = None, *, force: bool = False) -> str:
        run, steps = self._load(run_id)
        self._refuse_if_busy(run)
        status = RunStatus(run.status)
        if not (status.final or status == RunStatus.INTERRUPTED):
            raise ConflictError(f"run {run_id} is {status.value}; wait for it to finish or cancel it")
        defn = parse_definition(run.definition, source=f"run {run_id}")
        idx = defn.index(from_step)
        by_name = {s.name: s for s in steps}
        reuse: dict[str, StepRec] = {}
        for s in defn.steps[:idx]:
            rec = by_name[s.name]
            if rec.status not in (StepStatus.SUCCEEDED.value, StepStatus.SKIPPED.value):
                raise ConflictError(
                    f"step {s.name!r} is {rec.status} in run {run_id}, so its result cannot be reused; re-run from {s.name!r} or an earlier step"
                )
            reuse[s.name] = rec
        risky = [
            s.name for s in defn.steps[idx:]
            # a step that finished, or was in flight when the run stopped or was cancelled, may have taken effect
            if by_name[s.name].status in (StepStatus.SUCCEEDED.value, StepStatus.INTERRUPTED.value, StepStatus.COMPENSATION_FAILED.value,
                                          StepStatus.COMPENSATING.value, StepStatus.CANCELLED.value)
            and not (self.registry.has(s.action) and self.registry.get(s.action).idempotent)
        ]
        if risky and not force:
            raise ConflictError(
                f"step(s) {', '.join(risky)} already ran (or may have) in run {run_id} and are not idempotent; "
                f"compensate the run first, or pass --force to run them again"
            )
        inputs = {**(run.inputs or {}), **(overrides or {})}
        new_id = self.create_run(defn, inputs, rerun_of=run_id, from_step=from_step, reuse=reuse)
        events: list[Event] = []
        values: dict[str, Any] = {"superseded_by": new_id}
        if status == RunStatus.INTERRUPTED:
            values.update(status=RunStatus.CANCELLED.value, ended_at=self.ctx.clock(), error=f"superseded by re-run {new_id}")
            events.append(ev.WorkflowCancelled(run_id=run_id, workflow=run.workflow, correlation_id=run_id))
        self._commit(run_id, run=values, events=events)
        self._spawn(new_id)
        return new_id

    def close(self) -> list[str]:
        """The app is quitting: fire cancel hooks (stop child processes) and record live runs as interrupted.

        They are resumable at the next start exactly as after a crash; nothing is compensated
        behind the user's back.
        """
        ids = list(self._live)
        for run_id in ids:
            live = self._live.pop(run_id)
            if live.actx is not None:
                live.actx.fire_cancel()
            if live.task is not None:
                live.task.cancel()
            in_flight = next((s.name for s in live.steps.values() if s.status == StepStatus.RUNNING), None)
            with correlation(run_id), self.ctx.new_uow() as uow:
                s = uow.session
                s.execute(
                    update(StepRec)
                    .where(StepRec.run_id == run_id, StepRec.status == StepStatus.RUNNING.value)
                    .values(status=StepStatus.INTERRUPTED.value, error="interrupted: the app was closed during this step")
                )
                s.execute(update(RunRec).where(RunRec.id == run_id).values(
                    status=RunStatus.INTERRUPTED.value, owner_pid=None, owner_token=None))
                uow.record(ev.WorkflowInterrupted(run_id=run_id, workflow=live.defn.name, step=in_flight,
                                                  phase=live.phase.value, correlation_id=run_id))
                uow.commit()
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        return ids

    async def shutdown(self) -> None:
        """Cancel the tasks of live runs without recording anything (they will read as interrupted)."""
        tasks = [live.task for live in self._live.values() if live.task is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
