"""Workflow definitions as data: a JSON schema, typed dataclasses, parsing and validation.

A definition is JSON (or TOML) like::

    {"name": "hello", "version": 1, "description": "...",
     "inputs": {"who": {"type": "string", "default": "world"}},
     "steps": [
       {"name": "greet", "action": "notify", "inputs": {"title": "hi", "message": "hello ${ctx.who}"},
        "condition": "ctx.who != 'nobody'",
        "retry": {"max_attempts": 3, "initial_interval": 0.5, "backoff_coefficient": 2.0,
                  "max_interval": 10, "non_retryable_errors": ["UserError"]},
        "timeout": 30,
        "compensation": {"action": "notify", "inputs": {"title": "undo", "message": "..."}}}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from app.errors import UserError
from app.jsonvalue import JsonObject, JsonValue
from app.remedies import GiveInput
from app.untrusted import load_data, load_json
from app.workflows import expr

if TYPE_CHECKING:
    import jsonschema

NAME_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,63}$"
INPUT_TYPES = ("string", "integer", "number", "boolean", "object", "array")

_RETRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
        "initial_interval": {"type": "number", "minimum": 0, "maximum": 86400},
        "backoff_coefficient": {"type": "number", "minimum": 1, "maximum": 100},
        "max_interval": {"type": "number", "minimum": 0, "maximum": 86400},
        "non_retryable_errors": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "TrendForge workflow definition",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "steps"],
    "properties": {
        "name": {"type": "string", "pattern": NAME_PATTERN},
        "version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "inputs": {
            "type": "object",
            "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "type": {"enum": list(INPUT_TYPES)},
                    "description": {"type": "string"},
                    "required": {"type": "boolean"},
                    "default": {},
                },
            },
        },
        "steps": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "action"],
                "properties": {
                    "name": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_\-]*$"},
                    "action": {"type": "string", "minLength": 1},
                    "description": {"type": "string"},
                    "inputs": {"type": "object"},
                    "condition": {"type": "string"},
                    "retry": _RETRY_SCHEMA,
                    "timeout": {"type": "number", "exclusiveMinimum": 0},
                    "compensation": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["action"],
                        "properties": {
                            "action": {"type": "string", "minLength": 1},
                            "inputs": {"type": "object"},
                            "retry": _RETRY_SCHEMA,
                            "timeout": {"type": "number", "exclusiveMinimum": 0},
                        },
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 1
    initial_interval: float = 1.0
    backoff_coefficient: float = 2.0
    max_interval: float = 60.0
    non_retryable_errors: tuple[str, ...] = ("UserError",)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        raw = self.initial_interval * (self.backoff_coefficient ** (attempt - 1))
        return float(min(raw, self.max_interval))

    def retryable(self, error_types: tuple[str, ...]) -> bool:
        """``error_types`` is the failed exception's class names, most specific first."""
        return not any(t in self.non_retryable_errors for t in error_types)

    @staticmethod
    def from_dict(data: Mapping[str, Any] | None) -> RetryPolicy:
        if not data:
            return RetryPolicy()
        d = RetryPolicy()
        return RetryPolicy(
            max_attempts=int(data.get("max_attempts", d.max_attempts)),
            initial_interval=float(data.get("initial_interval", d.initial_interval)),
            backoff_coefficient=float(data.get("backoff_coefficient", d.backoff_coefficient)),
            max_interval=float(data.get("max_interval", d.max_interval)),
            non_retryable_errors=tuple(data.get("non_retryable_errors", d.non_retryable_errors)),
        )


@dataclass(frozen=True)
class Compensation:
    action: str
    inputs: Mapping[str, JsonValue] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float | None = None


@dataclass(frozen=True)
class StepDefinition:
    name: str
    action: str
    inputs: Mapping[str, JsonValue] = field(default_factory=dict)
    condition: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float | None = None
    compensation: Compensation | None = None
    description: str = ""


@dataclass(frozen=True)
class InputSpec:
    name: str
    type: str = "string"
    required: bool = False
    default: JsonValue = None
    description: str = ""


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    steps: tuple[StepDefinition, ...]
    version: int = 1
    title: str = ""
    description: str = ""
    inputs: tuple[InputSpec, ...] = ()
    raw: Mapping[str, JsonValue] = field(default_factory=dict, compare=False)

    def step(self, name: str) -> StepDefinition:
        for s in self.steps:
            if s.name == name:
                return s
        raise UserError(f"workflow {self.name!r} has no step {name!r}; its steps are: {', '.join(self.step_names())}")

    def step_names(self) -> list[str]:
        return [s.name for s in self.steps]

    def index(self, name: str) -> int:
        return self.step_names().index(self.step(name).name)

    def actions(self) -> set[str]:
        out = {s.action for s in self.steps}
        out |= {s.compensation.action for s in self.steps if s.compensation is not None}
        return out

    def diagram(self) -> str:
        """A readable one-line-per-step diagram (used by the panel and the CLI)."""
        lines: list[str] = []
        for i, s in enumerate(self.steps, 1):
            extra: list[str] = []
            if s.condition:
                extra.append(f"if {s.condition}")
            if s.retry.max_attempts > 1:
                extra.append(f"retry x{s.retry.max_attempts}")
            if s.timeout:
                extra.append(f"timeout {s.timeout:g}s")
            line = f"{i}. {s.name} [{s.action}]"
            if extra:
                line += "  (" + "; ".join(extra) + ")"
            if s.compensation is not None:
                line += f"\n     undo: {s.compensation.action}"
            lines.append(line)
            if i < len(self.steps):
                lines.append("   |")
                lines.append("   v")
        return "\n".join(lines)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # when a definition is first checked: a start-up with nothing new to check never loads it

    return jsonschema.Draft202012Validator(SCHEMA)


def _schema_errors(data: Any) -> list[str]:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    out = []
    for e in errors[:5]:
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        out.append(f"{where}: {e.message}")
    return out


def parse_definition(data: Any, *, source: str = "definition") -> WorkflowDefinition:
    """Validate ``data`` against the schema and the reference rules; raise ``UserError`` on problems."""
    problems = _schema_errors(data)
    if problems:
        raise UserError(f"{source} is not a valid workflow: " + "; ".join(problems))
    return _build(data, source)


def stored_definition(data: Any, *, source: str) -> WorkflowDefinition:
    """A definition the app stored after ``parse_definition`` accepted it: built without the schema check.

    The schema checker (jsonschema, ~3.4 MB and ~40 modules) is then loaded only when a definition is new
    to the app. Reference rules are still applied; a stored body that does not have the shape the schema
    requires (edited by hand) is checked in full, so the user gets the schema's own message."""
    try:
        return _build(data, source)
    except (KeyError, TypeError, AttributeError, ValueError):
        return parse_definition(data, source=source)


def _build(data: Any, source: str) -> WorkflowDefinition:
    inputs = tuple(
        InputSpec(
            name=k,
            type=str(v.get("type", "string")),
            required=bool(v.get("required", "default" not in v)),
            default=v.get("default"),
            description=str(v.get("description", "")),
        )
        for k, v in data.get("inputs", {}).items()
    )
    steps: list[StepDefinition] = []
    seen: set[str] = set()
    input_names = {i.name for i in inputs}
    for raw in data["steps"]:
        name = raw["name"]
        if name in seen:
            raise UserError(f"{source}: step name {name!r} is used twice; step names must be unique")
        comp_raw = raw.get("compensation")
        comp = (
            Compensation(
                action=comp_raw["action"],
                inputs=dict(comp_raw.get("inputs", {})),
                retry=RetryPolicy.from_dict(comp_raw.get("retry")),
                timeout=comp_raw.get("timeout"),
            )
            if comp_raw
            else None
        )
        step = StepDefinition(
            name=name,
            action=raw["action"],
            inputs=dict(raw.get("inputs", {})),
            condition=raw.get("condition"),
            retry=RetryPolicy.from_dict(raw.get("retry")),
            timeout=raw.get("timeout"),
            compensation=comp,
            description=str(raw.get("description", "")),
        )
        # references may only point at the run's inputs and at earlier steps (or, in a
        # compensation, at this step too)
        refs = expr.template_refs(step.inputs)
        if step.condition:
            refs += expr.references(expr.parse(step.condition))
        _check_refs(refs, input_names, seen, source, name)
        if comp is not None:
            _check_refs(expr.template_refs(comp.inputs), input_names, seen | {name}, source, name)
        seen.add(name)
        steps.append(step)
    return WorkflowDefinition(
        name=data["name"],
        version=int(data.get("version", 1)),
        title=str(data.get("title", "")),
        description=str(data.get("description", "")),
        inputs=inputs,
        steps=tuple(steps),
        raw=data,
    )


def _check_refs(refs: list[tuple[str, ...]], inputs: set[str], steps: set[str], source: str, step: str) -> None:
    for path in refs:
        dotted = ".".join(path)
        if path[0] == "ctx":
            if len(path) < 2 or (path[1] not in inputs and path[1] not in {"run_id", "workflow"}):
                raise UserError(f"{source}: step {step!r} refers to {dotted!r}, but the workflow has no input {path[1] if len(path) > 1 else ''!r}")
        elif path[0] == "steps":
            if len(path) < 3 or path[1] not in steps or path[2] not in {"output", "status"}:
                raise UserError(
                    f"{source}: step {step!r} refers to {dotted!r}; use steps.EARLIER_STEP.output.FIELD "
                    f"(earlier steps: {', '.join(sorted(steps)) or 'none'})"
                )
        else:
            raise UserError(f"{source}: step {step!r} refers to {dotted!r}; references start with 'ctx.' or 'steps.'")


def load_text(text: str, *, fmt: str = "json", source: str = "definition") -> WorkflowDefinition:
    """Parse JSON or TOML text into a validated definition."""
    return parse_definition(load_data(text, fmt=fmt, source=source), source=source)


def coerce_input(spec: InputSpec, text: str) -> JsonValue:
    """Turn a ``--input k=v`` string into the input's declared type."""
    try:
        if spec.type == "integer":
            return int(text)
        if spec.type == "number":
            return float(text)
        if spec.type == "boolean":
            low = text.strip().lower()
            if low in {"1", "true", "yes", "on"}:
                return True
            if low in {"0", "false", "no", "off"}:
                return False
            raise ValueError(text)
        if spec.type in {"object", "array"}:
            value: JsonValue = load_json(text, f"input {spec.name!r}")  # its type is checked by bind_inputs
            return value
    except ValueError as exc:
        raise UserError(f"input {spec.name!r} must be a {spec.type}, got {text!r}") from exc
    return text


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def bind_inputs(defn: WorkflowDefinition, given: Mapping[str, JsonValue]) -> JsonObject:
    """Apply defaults, check required and types, reject unknown names."""
    known = {i.name: i for i in defn.inputs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UserError(
            f"workflow {defn.name!r} has no input {', '.join(unknown)}; its inputs are: {', '.join(known) or 'none'}"
        )
    out: JsonObject = {}
    for spec in defn.inputs:
        if spec.name in given:
            value = given[spec.name]
            if isinstance(value, str) and spec.type != "string":
                value = coerce_input(spec, value)
            ok = isinstance(value, _PY_TYPES[spec.type]) and not (spec.type in {"integer", "number"} and isinstance(value, bool))
            if not ok:
                raise UserError(f"input {spec.name!r} must be a {spec.type}, got {value!r}")
            out[spec.name] = value
        elif spec.default is not None:
            out[spec.name] = spec.default
        elif spec.required:
            raise UserError(f"workflow {defn.name!r} needs input {spec.name!r} ({spec.type})", remedy=GiveInput(spec.name))
    return out
