"""The typed action registry: what a workflow step may call, with declared inputs.

It sits below the areas: each area registers its own actions (``services/<area>/actions.py``)
with its own typed service, and the workflow engine runs them; no area imports another.

An action is a callable ``fn(actx: ActionContext, **inputs)`` returning a JSON-ready mapping
(or ``None``), sync or async. It declares its parameters (name, Python type, required,
default), whether it is **idempotent** (safe to run again after a crash interrupted it) and
whether a sync function **blocks** (then it runs in a worker thread instead of on the loop).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.errors import UserError
from app.jsonvalue import JsonObject, JsonValue
from app.workflows.model import ApprovalDecision
from services.db.uow import UnitOfWorkFactory

if TYPE_CHECKING:  # the registry is built with the workflows area; a definition is parsed by what runs one
    from app.workflows.definition import WorkflowDefinition

ActionResult = Mapping[str, JsonValue] | None  # what a step records as its output: JSON, read back after a crash
ActionFunc = Callable[..., ActionResult | Awaitable[ActionResult]]


@dataclass(frozen=True)
class Param:
    name: str
    type: type | tuple[type, ...] = str
    required: bool = True
    default: JsonValue = None
    description: str = ""

    @property
    def type_name(self) -> str:
        types = self.type if isinstance(self.type, tuple) else (self.type,)
        return "|".join(t.__name__ for t in types)


@dataclass(frozen=True)
class ActionSpec:
    name: str
    func: ActionFunc
    params: tuple[Param, ...] = ()
    idempotent: bool = False
    blocking: bool = False
    description: str = ""
    area: str = "core"

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.func)

    def start(self, actx: ActionContext, inputs: Mapping[str, JsonValue]) -> ActionResult | Awaitable[ActionResult]:
        """Call the action with bound inputs: a quick sync one answers inline; an async one, or one that blocks
        (run in a worker thread), gives what to await for its result."""
        if self.blocking and not self.is_async:
            return asyncio.to_thread(self._run_blocking, actx, inputs)
        return self.func(actx, **inputs)

    def _run_blocking(self, actx: ActionContext, inputs: Mapping[str, JsonValue]) -> ActionResult:
        result = self.func(actx, **inputs)
        if isinstance(result, Awaitable):
            raise TypeError(f"action {self.name!r} is registered as blocking but returned an awaitable")
        return result

    async def invoke(self, actx: ActionContext, inputs: Mapping[str, JsonValue]) -> ActionResult:
        """Call the action with bound inputs and wait for its result (see :meth:`start`)."""
        result = self.start(actx, inputs)
        return await result if isinstance(result, Awaitable) else result

    def bind(self, inputs: Mapping[str, JsonValue]) -> JsonObject:
        """Check resolved inputs against the declared parameters; apply defaults."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(inputs) - set(known))
        if unknown:
            raise UserError(f"action {self.name!r} takes no input {', '.join(unknown)}; it takes: {', '.join(known) or 'nothing'}")
        out: JsonObject = {}
        for p in self.params:
            value = inputs.get(p.name)
            if value is None:
                if p.required and p.default is None:
                    raise UserError(f"action {self.name!r} needs input {p.name!r} ({p.type_name})")
                out[p.name] = p.default
                continue
            types = p.type if isinstance(p.type, tuple) else (p.type,)
            if float in types and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                raise UserError(f"action {self.name!r}: input {p.name!r} must be {p.type_name}, got {type(value).__name__} {value!r}")
            out[p.name] = value
        return out


class ApprovalSignals(Protocol):
    """What ``wait_for_approval`` needs of the engine running it."""

    def signal(self, run_id: str, step: str) -> ApprovalDecision | None: ...

    async def wait_signal(self, run_id: str, step: str, poll: float) -> ApprovalDecision: ...


class ActionContext:
    """What an action gets besides its inputs: which run/step/attempt, a unit of work, a cancel hook."""

    def __init__(
        self,
        *,
        run_id: str,
        workflow: str,
        step: str,
        attempt: int,
        data_dir: Path,
        uow: UnitOfWorkFactory | None = None,
        engine: ApprovalSignals | None = None,
        remember: Callable[[dict[str, object]], None] | None = None,
    ) -> None:
        self.run_id = run_id
        self.workflow = workflow
        self.step = step
        self.attempt = attempt
        self.uow = uow
        self.data_dir = data_dir
        self.engine = engine
        self.cancelled = False
        self._remember = remember
        self._cancel_hooks: list[Callable[[], object]] = []

    def remember(self, **values: object) -> None:
        """Record part of this step's output now, durably, before the step ends: what its undo
        needs as soon as the action knows it (a build id at the build's start). A step that is
        interrupted later is compensated with what it remembered."""
        if self._remember is not None:
            self._remember(values)

    def on_cancel(self, hook: Callable[[], object]) -> None:
        """Register ``hook`` to run if the run is cancelled while this action runs (e.g. kill a QProcess)."""
        self._cancel_hooks.append(hook)

    def fire_cancel(self) -> list[str]:
        self.cancelled = True
        errors: list[str] = []
        for hook in self._cancel_hooks:
            try:
                hook()
            except Exception as exc:  # noqa: BLE001 - reported, the cancel goes on
                errors.append(f"{type(exc).__name__}: {exc}")
        return errors


@dataclass
class ActionRegistry:
    _specs: dict[str, ActionSpec] = field(default_factory=dict)

    def register(self, spec: ActionSpec, *, replace: bool = False) -> ActionSpec:
        if spec.name in self._specs and not replace:
            raise ValueError(f"action {spec.name!r} registered twice")
        self._specs[spec.name] = spec
        return spec

    def action(
        self,
        name: str,
        *params: Param,
        idempotent: bool = False,
        blocking: bool = False,
        description: str = "",
        area: str = "core",
        replace: bool = False,
    ) -> Callable[[ActionFunc], ActionFunc]:
        def deco(fn: ActionFunc) -> ActionFunc:
            self.register(
                ActionSpec(name, fn, tuple(params), idempotent, blocking, description or (fn.__doc__ or "").strip().split("\n")[0], area),
                replace=replace,
            )
            return fn

        return deco

    def get(self, name: str) -> ActionSpec:
        spec = self._specs.get(name)
        if spec is None:
            raise UserError(f"no action {name!r} is registered here; known actions: {', '.join(sorted(self._specs))}")
        return spec

    def has(self, name: str) -> bool:
        return name in self._specs

    def specs(self) -> list[ActionSpec]:
        return sorted(self._specs.values(), key=lambda s: (s.area, s.name))

    def missing(self, defn: WorkflowDefinition) -> list[str]:
        return sorted(a for a in defn.actions() if a not in self._specs)

    def bind_run(self, defn: WorkflowDefinition, inputs: Mapping[str, JsonValue]) -> JsonObject:
        """The inputs of a new run of ``defn`` (defaults applied, types checked), if it can run here at all."""
        missing = self.missing(defn)
        if missing:
            raise UserError(
                f"workflow {defn.name!r} cannot run here: no action {', '.join(missing)} is registered "
                "(the area providing it is not installed in this build)"
            )
        from app.workflows.definition import bind_inputs

        return bind_inputs(defn, inputs)

    def check(self, defn: WorkflowDefinition, *, allow_missing: Iterable[str] = ()) -> None:
        """Raise ``UserError`` if a step calls an unknown action or passes an unknown input."""
        allowed = set(allow_missing)
        for step in defn.steps:
            calls: list[tuple[str, Mapping[str, JsonValue], str]] = [(step.action, step.inputs, step.name)]
            if step.compensation is not None:
                calls.append((step.compensation.action, step.compensation.inputs, f"{step.name} (compensation)"))
            for action, inputs, where in calls:
                spec = self._specs.get(action)
                if spec is None:
                    if action in allowed:
                        continue
                    raise UserError(f"step {where!r} calls unknown action {action!r}; known actions: {', '.join(sorted(self._specs))}")
                names = {p.name for p in spec.params}
                extra = sorted(set(inputs) - names)
                if extra:
                    raise UserError(f"step {where!r}: action {action!r} takes no input {', '.join(extra)}; it takes: {', '.join(sorted(names)) or 'nothing'}")
                for p in spec.params:
                    if p.required and p.default is None and p.name not in inputs:
                        raise UserError(f"step {where!r}: action {action!r} needs input {p.name!r}")
