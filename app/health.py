"""Health of a service or source, as shown in the status bar and by ``trendforge health``."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class HealthState(enum.StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True)
class Health:
    name: str
    state: HealthState
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state is HealthState.OK

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "state": self.state.value, "detail": self.detail}


def worst(states: list[HealthState]) -> HealthState:
    if HealthState.DOWN in states:
        return HealthState.DOWN
    if HealthState.DEGRADED in states:
        return HealthState.DEGRADED
    return HealthState.OK
