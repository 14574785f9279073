"""The durable workflow engine: sagas over SQLite, on the asyncio (qasync) loop, crash-safe.

The engine decides events; it never writes a run's state itself. Every event it records is
folded into the run's state by ``app.workflows.model.apply`` and the rows are written from the
folded state (``services.workflows.projection``) in the same transaction as the event.

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
import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError

from app.errors import ConflictError, NotFoundError, NotIdempotentError, UserError
from app.events import Event
from app.jsonvalue import JsonObject, JsonValue
from app.remedies import CancelRun, CompensateRun, RerunRun, ShowRun, WorkflowHistory
from app.workflows import events as ev
from app.workflows.model import (
    ApprovalDecision,
    InterruptCause,
    Phase,
    RunState,
    RunStatus,
    StepState,
    StepStatus,
    apply,
)
from services.actions import ActionContext, ActionRegistry, ActionResult, ActionSpec
from services.context import ServiceContext
from services.events.correlation import correlation, stamp
from services.leases import run_resource
from services.processes import owner_alive, run_owner_token
from services.workflows.models import WorkflowRunRecord as RunRec
from services.workflows.models import WorkflowStepRecord as StepRec
from services.workflows.orphans import find_orphans, run_leases
from services.workflows.projection import Projection, run_values, state_from_rows, step_values

if TYPE_CHECKING:  # definitions are parsed and expressions evaluated by what runs a step: recovery and the
    # liveness Home asks for read rows only
    from app.workflows.definition import StepDefinition, WorkflowDefinition
    from services.events.other_writers import OtherWriters

log = logging.getLogger(__name__)


@dataclass
class _Live:
    """An in-memory mirror of one run this process is executing."""

    run_id: str
    defn: WorkflowDefinition
    inputs: JsonObject
    state: RunState  # the fold of the run's events: what its rows hold
    task: asyncio.Task[RunStatus] | None = None
    actx: ActionContext | None = None
    current: asyncio.Future[ActionResult] | None = None
    cancel: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    started: float = field(default_factory=time.monotonic)
    # set by compensate(): the user asked for the undo (the run did not fail now); the status it had
    requested_after: RunStatus | None = None

    @property
    def phase(self) -> Phase:
        return self.state.phase

    def step(self, name: str) -> StepState:
        return self.state.steps[name]


def _error_types(exc: BaseException) -> tuple[str, ...]:
    return tuple(c.__name__ for c in type(exc).__mro__ if c not in (object, BaseException))


def _describe(exc: BaseException, timeout: float | None) -> tuple[str, str]:
    if isinstance(exc, TimeoutError):
        return "TimeoutError", f"timed out after {timeout:g}s" if timeout else (str(exc) or "timed out")
    return type(exc).__name__, str(exc) or type(exc).__name__


def _jsonable(value: object) -> JsonObject:
    if value is None:
        return {}
    data = dict(value) if isinstance(value, Mapping) else {"value": value}
    plain: JsonObject = json.loads(json.dumps(data, default=str))  # typed Any; a JSON object by construction
    return plain


def current_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


class WorkflowEngine:
    """Runs workflow definitions durably. Several runs may proceed at once on one loop."""

    def __init__(self, ctx: ServiceContext, registry: ActionRegistry) -> None:
        self.ctx = ctx
        self.registry = registry
        # "<process start time>:h<host tag><random>": tells this engine apart, survives pid reuse checks
        self.token = run_owner_token()  # another machine's runs are not this one's to recover (team mode)
        self._live: dict[str, _Live] = {}
        self._approvals: dict[tuple[str, str], asyncio.Event] = {}
        self._others: OtherWriters | None = None  # the bus's watcher of other processes' commits
        self._watching = False
        self._unsubscribe: list[Callable[[], None]] = []
        self._projection = Projection(ctx.engine.dialect)
        # a run's lease in the database, renewed while it is live: on a shared store another machine
        # recovers a run whose machine went away once the lease lapses (see services.leases)
        self.leases = run_leases(ctx)
        self._heartbeat: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ persistence
    def _record(
        self,
        run_id: str,
        before: RunState,
        events: Iterable[Event],
        *,
        lease: Mapping[str, object] | None = None,
        claim_from: Iterable[RunStatus] = (),
    ) -> RunState:
        """One transaction: the events, and the rows written from the state they fold ``before`` into.

        Events are dispatched after the commit. ``claim_from``: take the run's lease only if its
        status is one of these (another process may have taken it meanwhile). This is the
        engine's hot path (two per step), so it uses a Core connection rather than an ORM
        session; the semantics are the unit of work's (same transaction, publish after commit).
        """
        with correlation(run_id):
            stamped = [stamp(e) for e in events]
        after = before
        for event in stamped:
            after = apply(after, event)
        bus = self.ctx.bus
        with self.ctx.engine.begin() as conn:
            claim = tuple(s.value for s in claim_from)
            if claim:
                taken = conn.execute(
                    update(RunRec).where(RunRec.id == run_id, RunRec.status.in_(claim))
                    .values(owner_pid=os.getpid(), owner_token=self.token, cancel_requested=False)
                )
                if taken.rowcount != 1:
                    raise ConflictError(f"run {run_id} changed meanwhile (another process took it)", remedy=ShowRun(run_id))
                self.leases.take(conn, run_resource(run_id))
            elif before.status.active and not after.status.active:
                self.leases.release(conn, run_resource(run_id))  # ended here: nobody needs to recover it
            self._projection.write(conn, run_id, before, after, lease)
            bus.store.append(conn, stamped)
        bus.dispatch(stamped)
        return after

    def _emit(self, live: _Live, *events: Event) -> None:
        live.state = self._record(live.run_id, live.state, events)

    def _load(self, run_id: str) -> tuple[RunRec, list[StepRec]]:
        with self.ctx.new_uow() as uow:
            run = uow.session.get(RunRec, run_id)
            if run is None:
                raise NotFoundError(f"no workflow run {run_id!r}", remedy=WorkflowHistory())
            steps = list(uow.session.scalars(select(StepRec).where(StepRec.run_id == run_id).order_by(StepRec.position)))
            uow.session.expunge_all()
            return run, steps

    def state(self, run_id: str) -> RunState:
        """The run's state as its rows hold it (the projection of its events)."""
        return state_from_rows(*self._load(run_id))

    def _live_from_db(self, run: RunRec, steps: list[StepRec]) -> _Live:
        from app.workflows.definition import parse_definition

        defn = parse_definition(run.definition, source=f"run {run.id}")
        return _Live(run_id=run.id, defn=defn, inputs=dict(run.inputs or {}), state=state_from_rows(run, steps))

    # ``**kw`` are the fields of the event class ``cls``: only its constructor knows their types
    def _ev(self, live: _Live, cls: type[ev.WorkflowEvent], **kw: Any) -> ev.WorkflowEvent:
        return self._event(cls, live.run_id, live.defn.name, **kw)

    def _event(self, cls: type[ev.WorkflowEvent], run_id: str, workflow: str, **kw: Any) -> ev.WorkflowEvent:
        """An event of run ``run_id``, timed by the app's clock (the rows' times are its events' times)."""
        return cls(run_id=run_id, workflow=workflow, correlation_id=run_id, timestamp=self.ctx.clock(), **kw)

    # ------------------------------------------------------------------ creating runs
    def create_run(
        self,
        defn: WorkflowDefinition,
        inputs: Mapping[str, JsonValue],
        *,
        rerun_of: str | None = None,
        from_step: str | None = None,
        reuse: Mapping[str, StepState] | None = None,
    ) -> str:
        """Store a new run (its rows: the fold of its first events) without starting it.

        ``reuse``: the steps a re-run keeps from the run it re-runs (succeeded or skipped there)."""
        bound = self.registry.bind_run(defn, inputs)
        run_id = uuid.uuid4().hex
        reuse = reuse or {}
        events: list[Event] = [
            self._event(ev.WorkflowStarted, run_id, defn.name, inputs=bound, rerun_of=rerun_of, from_step=from_step)
        ]
        for s in defn.steps:
            old = reuse.get(s.name)
            if old is None:
                continue
            if old.status == StepStatus.SUCCEEDED:
                events.append(self._event(ev.StepSucceeded, run_id, defn.name, step=s.name, attempt=old.attempts,
                                          output=dict(old.output or {}), reused=True))
            else:
                events.append(self._event(ev.StepSkipped, run_id, defn.name, step=s.name, condition=s.condition or "",
                                          reused=True))
        with correlation(run_id):
            stamped = [stamp(e) for e in events]
        state = RunState.initial(defn.step_names())
        for event in stamped:
            state = apply(state, event)
        step_rows = [
            {**step_values(state.steps[s.name]), "run_id": run_id, "position": pos, "name": s.name, "action": s.action,
             "compensation_action": s.compensation.action if s.compensation else None}
            for pos, s in enumerate(defn.steps)
        ]
        bus = self.ctx.bus
        with self.ctx.engine.begin() as conn:
            conn.execute(
                insert(RunRec).values(
                    id=run_id, workflow=defn.name, version=defn.version, definition=dict(defn.raw), inputs=bound,
                    created_at=stamped[0].timestamp, owner_pid=os.getpid(), owner_token=self.token,
                    cancel_requested=False, rerun_of=rerun_of, **run_values(state),
                )
            )
            conn.execute(insert(StepRec), step_rows)
            self.leases.take(conn, run_resource(run_id))
            bus.store.append(conn, stamped)
        bus.dispatch(stamped)
        return run_id

    def start(self, defn: WorkflowDefinition, inputs: Mapping[str, JsonValue]) -> str:
        """Create a run and schedule it on the current loop; returns the run id at once."""
        run_id = self.create_run(defn, inputs)
        self._spawn(run_id)
        return run_id

    # The *_async variants do the same from a coroutine on the engine's loop (the GUI's): their
    # database work runs in a worker thread (asyncio.to_thread) and only the run's task is
    # spawned on the loop, so the loop's thread never waits for a write lock.
    async def start_async(self, defn: WorkflowDefinition, inputs: Mapping[str, JsonValue]) -> str:
        run_id = await asyncio.to_thread(self.create_run, defn, inputs)
        await self._spawn_async(run_id)
        return run_id

    async def resume_async(self, run_id: str, *, force: bool = False) -> str:
        await self._spawn_async(await asyncio.to_thread(self._resumed, run_id, force))
        return run_id

    async def compensate_async(self, run_id: str, *, force: bool = False) -> str:
        requested_after = await asyncio.to_thread(self._compensating, run_id, force)
        (await self._spawn_async(run_id)).requested_after = requested_after
        return run_id

    async def rerun_async(self, run_id: str, from_step: str, overrides: Mapping[str, JsonValue] | None = None, *,
                          force: bool = False) -> str:
        new_id = await asyncio.to_thread(self._rerun_created, run_id, from_step, overrides, force)
        await self._spawn_async(new_id)
        return new_id

    async def cancel_async(self, run_id: str) -> str:
        if run_id in self._live:
            return self.cancel(run_id)  # in memory: the run's task records it
        return await asyncio.to_thread(self.cancel, run_id)

    async def approve_async(self, run_id: str, step: str, *, approved: bool = True, note: str = "") -> None:
        await asyncio.to_thread(self._record_approval, run_id, step, approved, note)
        self._wake_approval(run_id, step)

    async def run(self, defn: WorkflowDefinition, inputs: Mapping[str, JsonValue]) -> str:
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
        if self._live:
            return
        self._stop_watching_others()
        heartbeat, self._heartbeat = self._heartbeat, None
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    def is_live(self, run_id: str) -> bool:
        return run_id in self._live

    def live_ids(self) -> list[str]:
        return list(self._live)

    def _spawn(self, run_id: str) -> _Live:
        return self._spawn_loaded(run_id, *self._load(run_id))

    async def _spawn_async(self, run_id: str) -> _Live:
        return self._spawn_loaded(run_id, *await asyncio.to_thread(self._load, run_id))

    def _spawn_loaded(self, run_id: str, run: RunRec, steps: list[StepRec]) -> _Live:
        live = self._live_from_db(run, steps)
        self._live[run_id] = live
        loop = current_loop()
        live.task = loop.create_task(self._drive(live), name=f"workflow-{run_id}")
        self._watch_others()
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = loop.create_task(self._renew_leases(), name="workflow-lease-heartbeat")
        return live

    async def _renew_leases(self) -> None:
        """While runs are live here, push their leases on (one statement a beat, off the loop's thread)."""
        while self._live:
            await asyncio.sleep(self.leases.heartbeat_ms / 1000)
            try:
                await asyncio.to_thread(self.leases.renew)
            except DBAPIError as exc:  # the store is busy or away: the next beat tries again
                log.warning("workflow leases not renewed: %s", exc.orig or exc)

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
            self._emit(live, self._ev(live, ev.WorkflowFailed, status=RunStatus.FAILED.value, error=f"engine error: {exc}"))
            return RunStatus.FAILED
        finally:
            self._live.pop(live.run_id, None)
            self._stop_watching_others()

    def _scope(self, live: _Live) -> JsonObject:
        return {
            "ctx": {**live.inputs, "run_id": live.run_id, "workflow": live.defn.name},
            "steps": {n: {"output": dict(s.output or {}), "status": s.status.value} for n, s in live.state.steps.items()},
        }

    async def _forward(self, live: _Live) -> RunStatus:
        from app.workflows.expr import ExpressionError, evaluate_condition

        for step in live.defn.steps:
            if live.step(step.name).status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED):
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
                    self._emit(live, self._ev(live, ev.StepSkipped, step=step.name, condition=step.condition))
                    continue
            outcome = await self._run_step(live, step)
            if outcome is None:
                return self._finish_cancel(live, step.name)
            if not outcome:
                return await self._compensate(live)
        duration = time.monotonic() - live.started
        self._emit(live, self._ev(live, ev.WorkflowCompleted, duration=round(duration, 6)))
        return RunStatus.SUCCEEDED

    def _fail_step_early(self, live: _Live, step: StepDefinition, exc: BaseException) -> None:
        """A step that could not even start (bad reference, unknown action, bad inputs)."""
        etype, msg = _describe(exc, None)
        attempt = live.step(step.name).attempts
        self._emit(live, self._ev(live, ev.StepFailed, step=step.name, attempt=attempt, error=msg, error_type=etype))

    async def _run_step(self, live: _Live, step: StepDefinition) -> bool | None:
        """Run one step with its retry policy. True: succeeded, False: failed, None: cancelled."""
        from app.workflows.expr import resolve

        try:
            spec = self.registry.get(step.action)
            resolved = resolve(dict(step.inputs), self._scope(live))
            bound = spec.bind(resolved)
        except UserError as exc:
            self._fail_step_early(live, step, exc)
            return False
        policy = step.retry
        attempt = live.step(step.name).attempts
        inputs = _jsonable(resolved)
        while True:
            attempt += 1
            self._emit(live, self._ev(live, ev.StepStarted, step=step.name, action=step.action, attempt=attempt, inputs=inputs))
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
                self._emit(live, self._ev(live, ev.StepFailed, step=step.name, attempt=attempt, error=msg, error_type=etype,
                                          will_retry=will_retry, retry_in=delay))
                if not will_retry:
                    return False
                if not await self._sleep(live, delay):
                    return None
                continue
            finally:
                live.actx = None
            self._emit(live, self._ev(live, ev.StepSucceeded, step=step.name, attempt=attempt, output=_jsonable(result)))
            return True

    def _action_context(self, live: _Live, step: str, attempt: int, *, forward: bool = True) -> ActionContext:
        def remember(values: dict[str, object]) -> None:
            self._emit(live, self._ev(live, ev.StepOutputRecorded, step=step, values=_jsonable(values)))

        actx = ActionContext(
            run_id=live.run_id, workflow=live.defn.name, step=step, attempt=attempt,
            data_dir=self.ctx.data_dir, uow=self.ctx.new_uow, engine=self,
            remember=remember if forward else None,
        )
        live.actx = actx
        return actx

    async def _invoke(
        self, live: _Live, spec: ActionSpec, inputs: Mapping[str, JsonValue], actx: ActionContext, timeout: float | None
    ) -> ActionResult:
        started = spec.start(actx, inputs)  # quick sync actions run inline on the loop, blocking ones in a thread
        if not isinstance(started, Awaitable):
            return started
        awaitable = started
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
        events: list[Event] = []
        if step is not None:
            events.append(self._ev(live, ev.StepCancelled, step=step))
        events.append(self._ev(live, ev.WorkflowCancelled, step=step))
        self._emit(live, *events)
        return RunStatus.CANCELLED

    # ------------------------------------------------------------------ compensation
    async def _compensate(self, live: _Live) -> RunStatus:
        began = time.monotonic()
        undoable = (StepStatus.SUCCEEDED, StepStatus.INTERRUPTED, StepStatus.COMPENSATING, StepStatus.COMPENSATION_FAILED)
        for step in reversed(live.defn.steps):
            if step.compensation is None or live.step(step.name).status not in undoable:
                continue
            self._emit(live, self._ev(live, ev.StepCompensating, step=step.name, action=step.compensation.action))
            ok, error, attempts = await self._run_compensation(live, step)
            self._emit(live, self._ev(live, ev.StepCompensated, step=step.name, ok=ok, error=error, attempts=attempts))
        # from every step's state, not only this pass: a resumed compensation may find earlier undos done
        statuses = {st.status for st in live.state.steps.values()}
        any_failed = StepStatus.COMPENSATION_FAILED in statuses
        any_done = StepStatus.COMPENSATED in statuses
        duration = round(time.monotonic() - began, 6)
        run_error = live.state.error
        if live.requested_after is not None:
            # asked for (after success, an interruption...): record the undo, not a failure of the run
            final = RunStatus.COMPENSATION_FAILED if any_failed else RunStatus.COMPENSATED
            self._emit(live, self._ev(live, ev.WorkflowCompensated, status=final.value, after=live.requested_after.value,
                                      duration=duration, error=run_error if any_failed and run_error else ""))
        else:
            final = RunStatus.COMPENSATION_FAILED if any_failed else RunStatus.COMPENSATED if any_done else RunStatus.FAILED
            self._emit(live, self._ev(live, ev.WorkflowFailed, status=final.value, step=live.state.failed_step or "",
                                      error=run_error or ""))
        return final

    async def _run_compensation(self, live: _Live, step: StepDefinition) -> tuple[bool, str, int]:
        from app.workflows.expr import resolve

        assert step.compensation is not None
        comp = step.compensation
        try:
            spec = self.registry.get(comp.action)
        except UserError as exc:
            return False, str(exc), 0
        try:
            bound = spec.bind(resolve(dict(comp.inputs), self._scope(live)))
        except UserError as exc:
            if live.step(step.name).ended_at is None:
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
            # not the run's state: a note in its mailbox that the owning process reads and acts on
            # the mailbox is the durable request; its event wakes the owner (see OtherWriters)
            requested = stamp(self._event(ev.WorkflowCancelRequested, run_id, run.workflow))
            with self.ctx.engine.begin() as conn:
                conn.execute(update(RunRec).where(RunRec.id == run_id).values(cancel_requested=True))
                self.ctx.bus.store.append(conn, [requested])
            self.ctx.bus.dispatch([requested])
            return "requested"
        live = self._live_from_db(run, steps)
        in_flight = next((n for n, s in live.state.steps.items() if s.status in (StepStatus.RUNNING, StepStatus.INTERRUPTED)), None)
        self._finish_cancel(live, in_flight)
        return "cancelled"

    def _watch_others(self) -> None:
        """While runs are live here, hear what other processes ask of them: a cancel (its event),
        an approval (``workflow.approval_given``). Both arrive through the bus's one
        :class:`~services.events.other_writers.OtherWriters`; the mailbox is read once now for a
        request made before the watch began."""
        from services.events.other_writers import OtherWriters

        if not OtherWriters.can_watch():
            return  # a bare asyncio loop (a script, a test): no Qt loop to watch on, in-process requests only
        if self._others is None:
            self._others = OtherWriters.of(self.ctx.config, self.ctx.bus)
            self._unsubscribe = [
                self.ctx.bus.subscribe(ev.WorkflowCancelRequested, self._on_bus_cancel_requested),
                self.ctx.bus.subscribe(ev.ApprovalGiven, self._on_bus_approval_given),
            ]
        if not self._watching:
            self._watching = True
            self._others.hold()
        self._honour_cancel_requests()

    def _stop_watching_others(self, *, even_if_live: bool = False) -> None:
        if self._watching and (even_if_live or not self._live) and self._others is not None:
            self._watching = False
            self._others.release()

    def _on_bus_cancel_requested(self, event: Event) -> None:
        if isinstance(event, ev.WorkflowCancelRequested) and event.run_id in self._live:
            self._honour_cancel_requests()

    def _on_bus_approval_given(self, event: Event) -> None:
        if isinstance(event, ev.ApprovalGiven):
            waiter = self._approvals.get((event.run_id, event.step))
            if waiter is not None:
                waiter.set()

    def _honour_cancel_requests(self) -> None:
        """Cancel the live runs whose mailbox holds a request (e.g. `workflow cancel` from another process)."""
        ids = list(self._live)
        if not ids:
            return
        with self.ctx.new_uow() as uow:
            wanted = list(uow.session.scalars(select(RunRec.id).where(RunRec.id.in_(ids), RunRec.cancel_requested.is_(True))))
        for run_id in wanted:
            live = self._live.get(run_id)
            if live is not None and not live.cancel and live.phase == Phase.FORWARD:
                self.cancel(run_id)

    # ------------------------------------------------------------------ approvals
    def approve(self, run_id: str, step: str, *, approved: bool = True, note: str = "") -> None:
        self._record_approval(run_id, step, approved, note)
        self._wake_approval(run_id, step)

    def _record_approval(self, run_id: str, step: str, approved: bool, note: str) -> None:
        run, steps = self._load(run_id)
        given = self._event(ev.ApprovalGiven, run_id, run.workflow, step=step, approved=approved, note=note)
        self._record(run_id, state_from_rows(run, steps), [given])

    def _wake_approval(self, run_id: str, step: str) -> None:
        waiter = self._approvals.get((run_id, step))
        if waiter is not None:
            waiter.set()

    def signal(self, run_id: str, step: str) -> ApprovalDecision | None:
        with self.ctx.new_uow() as uow:
            signals = uow.session.scalar(select(RunRec.signals).where(RunRec.id == run_id)) or {}
        found = signals.get(step)
        if not isinstance(found, Mapping):
            return None
        return ApprovalDecision(decision=str(found.get("decision", "")), note=str(found.get("note") or ""))

    async def wait_signal(self, run_id: str, step: str, poll: float) -> ApprovalDecision:
        key = (run_id, step)
        waiter = self._approvals.setdefault(key, asyncio.Event())
        try:
            while True:
                found = self.signal(run_id, step)
                if found is not None:
                    return found
                waiter.clear()
                await waiter.wait()  # set by approve() here, or by the event of an approval given elsewhere
        finally:
            self._approvals.pop(key, None)

    # ------------------------------------------------------------------ crash recovery
    def recover(self) -> list[str]:
        """Record runs left in flight by a gone process (:func:`find_orphans`) as interrupted. Called at
        start-up. A run of another machine whose lease lapsed is taken over by exactly one recovering
        process (:meth:`Leases.take_over`).
        """
        with self.ctx.new_uow() as uow:
            orphans = find_orphans(uow.session, self.leases, live=self._live)
        ids, lapsed = orphans.ids, orphans.lapsed
        if not ids:
            return []
        found: list[tuple[RunRec, list[StepRec]]] = []
        with self.ctx.new_uow() as uow:
            for chunk in range(0, len(ids), 500):
                part = ids[chunk:chunk + 500]
                steps: dict[str, list[StepRec]] = {run_id: [] for run_id in part}
                for st in uow.session.scalars(select(StepRec).where(StepRec.run_id.in_(part))):
                    steps[st.run_id].append(st)
                found.extend((run, steps[run.id]) for run in uow.session.scalars(select(RunRec).where(RunRec.id.in_(part))))
            uow.session.expunge_all()
        stamped: list[Event] = []
        recovered: list[str] = []
        bus = self.ctx.bus
        with self.ctx.engine.begin() as conn:
            for run, run_steps in found:
                if run.id in lapsed and not self.leases.take_over(conn, run_resource(run.id)):
                    continue  # renewed meanwhile, or another machine recovered it first
                cause = InterruptCause.LEASE_LAPSED if run.id in lapsed else InterruptCause.PROCESS_STOPPED
                before = state_from_rows(run, run_steps)
                in_flight = next((n for n, st in before.steps.items() if st.status is StepStatus.RUNNING), None)
                with correlation(run.id):
                    event = stamp(self._event(ev.WorkflowInterrupted, run.id, run.workflow, step=in_flight,
                                              phase=before.phase.value, cause=cause.value))
                self._projection.write(conn, run.id, before, apply(before, event))
                self.leases.forget(conn, run_resource(run.id))
                stamped.append(event)
                recovered.append(run.id)
            bus.store.append(conn, stamped)
        bus.dispatch(stamped)
        return recovered

    def _claim(self, run: RunRec, steps: list[StepRec], event: Event) -> None:
        """Take an ended or interrupted run over (its lease) and record ``event`` on it, unless
        another process took it first."""
        self._record(run.id, state_from_rows(run, steps), [event], claim_from=(
            RunStatus.INTERRUPTED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.SUCCEEDED, RunStatus.COMPENSATION_FAILED))

    def _refuse_if_busy(self, run: RunRec) -> None:
        if run.id in self._live or (RunStatus(run.status).active and owner_alive(run.owner_pid, run.owner_token)):
            raise ConflictError(f"run {run.id} is still {run.status}", remedy=CancelRun(run.id))
        if run.superseded_by:
            raise ConflictError(f"run {run.id} was re-run as {run.superseded_by}; act on that run instead")

    def resume(self, run_id: str, *, force: bool = False) -> str:
        self._spawn(self._resumed(run_id, force))
        return run_id

    def _resumed(self, run_id: str, force: bool) -> str:
        """Check and record the resume (the run's task is spawned by the caller)."""
        run, steps = self._load(run_id)
        self._refuse_if_busy(run)
        status = RunStatus(run.status)
        if status != RunStatus.INTERRUPTED:
            # a run that ended can be undone or run again from a step; one that succeeded needs neither
            raise ConflictError(f"run {run_id} is {status.value}, only interrupted runs can be resumed",
                                remedy=None if status == RunStatus.SUCCEEDED else RerunRun(run_id))
        live = self._live_from_db(run, steps)
        in_flight: str | None = None
        if live.phase == Phase.FORWARD:
            for step in live.defn.steps:
                if live.step(step.name).status == StepStatus.INTERRUPTED:
                    in_flight = step.name
                    spec = self.registry.get(step.action)
                    if not spec.idempotent and not force:
                        # undoing is the safe way out; running it again anyway is the person's call (force)
                        raise NotIdempotentError(
                            f"step {step.name!r} (action {step.action!r}) was running when the process stopped and is not "
                            f"idempotent: it may already have taken effect, so it is not run again",
                            remedy=CompensateRun(run_id),
                        )
            new_status = RunStatus.RUNNING
        else:
            self._check_compensations(live, force)
            new_status = RunStatus.COMPENSATING
        self._claim(run, steps, self._ev(live, ev.WorkflowResumed, status=new_status.value, step=in_flight))
        return run_id

    def _check_compensations(self, live: _Live, force: bool) -> None:
        for step in live.defn.steps:
            if live.step(step.name).status == StepStatus.COMPENSATING and step.compensation is not None:
                spec = self.registry.get(step.compensation.action)
                if not spec.idempotent and not force:
                    raise NotIdempotentError(
                        f"the compensation of step {step.name!r} ({step.compensation.action!r}) was running when the "
                        f"process stopped and is not idempotent",
                        remedy=CompensateRun(live.run_id, force=True),
                    )

    def compensate(self, run_id: str, *, force: bool = False) -> str:
        requested_after = self._compensating(run_id, force)
        self._spawn(run_id).requested_after = requested_after  # the task starts at the loop's next turn
        return run_id

    def _compensating(self, run_id: str, force: bool) -> RunStatus:
        """Check and record the undo; returns the status it was asked after (the caller spawns the task)."""
        run, steps = self._load(run_id)
        self._refuse_if_busy(run)
        status = RunStatus(run.status)
        if status in (RunStatus.COMPENSATED,):
            raise ConflictError(f"run {run_id} is already compensated")
        live = self._live_from_db(run, steps)
        undoable = (StepStatus.SUCCEEDED, StepStatus.INTERRUPTED, StepStatus.COMPENSATING, StepStatus.COMPENSATION_FAILED)
        if status.final and not any(
            step.compensation is not None and live.step(step.name).status in undoable for step in live.defn.steps
        ):
            # nothing would be undone: leave the run (and its status and end time) exactly as it is
            raise ConflictError(
                f"run {run_id} has nothing to compensate: no step that ran has a compensating action; "
                f"it stays {status.value}"
            )
        self._check_compensations(live, force)
        self._claim(run, steps, self._ev(live, ev.WorkflowResumed, status=RunStatus.COMPENSATING.value))
        return status

    def rerun(self, run_id: str, from_step: str, overrides: Mapping[str, JsonValue] | None = None, *, force: bool = False) -> str:
        new_id = self._rerun_created(run_id, from_step, overrides, force)
        self._spawn(new_id)
        return new_id

    def _rerun_created(self, run_id: str, from_step: str, overrides: Mapping[str, JsonValue] | None, force: bool) -> str:
        """Check the re-run and create the new run (the caller spawns its task); returns its id."""
        from app.workflows.definition import parse_definition

        run, steps = self._load(run_id)
        self._refuse_if_busy(run)
        status = RunStatus(run.status)
        if not (status.final or status == RunStatus.INTERRUPTED):
            raise ConflictError(f"run {run_id} is {status.value}; wait for it to finish or cancel it")
        defn = parse_definition(run.definition, source=f"run {run_id}")
        idx = defn.index(from_step)
        state = state_from_rows(run, steps)
        reuse: dict[str, StepState] = {}
        for s in defn.steps[:idx]:
            old = state.steps[s.name]
            if old.status not in (StepStatus.SUCCEEDED, StepStatus.SKIPPED):
                raise ConflictError(
                    f"step {s.name!r} is {old.status.value} in run {run_id}, so its result cannot be reused; re-run from {s.name!r} or an earlier step"
                )
            reuse[s.name] = old
        risky = [
            s.name for s in defn.steps[idx:]
            # a step that finished, or was in flight when the run stopped or was cancelled, may have taken effect
            if state.steps[s.name].status in (StepStatus.SUCCEEDED, StepStatus.INTERRUPTED, StepStatus.COMPENSATION_FAILED,
                                              StepStatus.COMPENSATING, StepStatus.CANCELLED)
            and not (self.registry.has(s.action) and self.registry.get(s.action).idempotent)
        ]
        if risky and not force:
            raise NotIdempotentError(
                f"step(s) {', '.join(risky)} already ran (or may have) in run {run_id} and are not idempotent",
                remedy=RerunRun(run_id, from_step, force=True),
            )
        inputs = {**(run.inputs or {}), **(overrides or {})}
        new_id = self.create_run(defn, inputs, rerun_of=run_id, from_step=from_step, reuse=reuse)
        events: list[Event] = [self._event(ev.WorkflowSuperseded, run_id, run.workflow, by=new_id)]
        if status == RunStatus.INTERRUPTED:
            events.append(self._event(ev.WorkflowCancelled, run_id, run.workflow, reason=f"superseded by re-run {new_id}"))
        self._record(run_id, state, events)
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
            if not live.state.status.active:
                continue  # it ended just now; its task had not yet let go of it
            in_flight = next((n for n, st in live.state.steps.items() if st.status is StepStatus.RUNNING), None)
            self._emit(live, self._ev(live, ev.WorkflowInterrupted, step=in_flight, phase=live.phase.value,
                                      cause=InterruptCause.APP_CLOSED.value))
        self._stop_watching_others()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        return ids

    async def shutdown(self) -> None:
        """Cancel the tasks of live runs without recording anything (they will read as interrupted)."""
        tasks = [live.task for live in self._live.values() if live.task is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._stop_watching_others(even_if_live=True)
        heartbeat, self._heartbeat = self._heartbeat, None
        if heartbeat is not None:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await heartbeat
