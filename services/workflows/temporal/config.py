"""Which engine runs workflows, and where Temporal is: one place decides.

``workflows.engine`` (a setting: ``local`` or ``temporal``) picks the engine; a set
``TRENDFORGE_TEMPORAL_ADDRESS`` picks Temporal whatever the setting says. The address, namespace
and task queue come from the environment first, then the settings, then the defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.errors import UserError
from app.workflows.engine_kind import EngineKind


class QueueKind(StrEnum):
    """The task queues a studio's workers poll: the runs and most steps, and the builds (toolchain + key)."""

    MAIN = "main"
    BUILDS = "builds"


ENGINE_SETTING = "workflows.engine"  # the settings service checks its value (app.workflows.model.EngineKind)
ADDRESS_SETTING = "workflows.temporal_address"
NAMESPACE_SETTING = "workflows.temporal_namespace"
QUEUE_SETTING = "workflows.temporal_task_queue"
ADDRESS_ENV = "TRENDFORGE_TEMPORAL_ADDRESS"
NAMESPACE_ENV = "TRENDFORGE_TEMPORAL_NAMESPACE"
QUEUE_ENV = "TRENDFORGE_TEMPORAL_TASK_QUEUE"
HEARTBEAT_SETTING = "workflows.temporal_heartbeat_timeout"
HEARTBEAT_ENV = "TRENDFORGE_TEMPORAL_HEARTBEAT_TIMEOUT"

DEFAULT_ADDRESS = "127.0.0.1:7233"
DEFAULT_NAMESPACE = "default"
DEFAULT_QUEUE = "trendforge"
#: seconds a worker may go silent during a step before Temporal gives the step to another worker
DEFAULT_HEARTBEAT_TIMEOUT = 30.0
#: how often a running step tells Temporal it is alive (and learns that its run was cancelled)
HEARTBEAT_EVERY = 1.0

#: the areas whose actions run on the builds queue (they need the toolchain and the signing key)
BUILDS_AREAS = frozenset({"builds"})


@dataclass(frozen=True)
class TemporalConfig:
    address: str = DEFAULT_ADDRESS
    namespace: str = DEFAULT_NAMESPACE
    task_queue: str = DEFAULT_QUEUE
    heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT

    def queue(self, kind: QueueKind) -> str:
        return self.task_queue if kind is QueueKind.MAIN else f"{self.task_queue}-{kind.value}"

    def queue_for_area(self, area: str) -> str:
        return self.queue(QueueKind.BUILDS if area in BUILDS_AREAS else QueueKind.MAIN)

    @property
    def where(self) -> str:
        return f"Temporal at {self.address} (namespace {self.namespace})"


def _pick(env: Mapping[str, str], name: str, setting: Callable[[str], Any], key: str, default: str) -> str:
    value = env.get(name, "").strip()
    if value:
        return value
    saved = setting(key)
    return saved.strip() if isinstance(saved, str) and saved.strip() else default


def _seconds(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 2 <= value <= 3600:
        raise UserError(f"{name} must be a number of seconds from 2 to 3600, got {text!r}")
    return value


def engine_kind(setting: Callable[[str], Any], env: Mapping[str, str]) -> EngineKind:
    if env.get(ADDRESS_ENV, "").strip():
        return EngineKind.TEMPORAL
    saved = setting(ENGINE_SETTING)
    return EngineKind.TEMPORAL if saved == EngineKind.TEMPORAL.value else EngineKind.LOCAL


def team_temporal(setting: Callable[[str], Any], env: Mapping[str, str]) -> TemporalConfig | None:
    """Where Temporal is when it runs new workflow runs (team mode); None when they run in this process."""
    return temporal_config(setting, env) if engine_kind(setting, env) is EngineKind.TEMPORAL else None


def temporal_config(setting: Callable[[str], Any], env: Mapping[str, str]) -> TemporalConfig:
    return TemporalConfig(
        address=_pick(env, ADDRESS_ENV, setting, ADDRESS_SETTING, DEFAULT_ADDRESS),
        namespace=_pick(env, NAMESPACE_ENV, setting, NAMESPACE_SETTING, DEFAULT_NAMESPACE),
        task_queue=_pick(env, QUEUE_ENV, setting, QUEUE_SETTING, DEFAULT_QUEUE),
        heartbeat_timeout=_seconds(_pick(env, HEARTBEAT_ENV, setting, HEARTBEAT_SETTING, str(DEFAULT_HEARTBEAT_TIMEOUT)),
                                   HEARTBEAT_ENV),
    )
