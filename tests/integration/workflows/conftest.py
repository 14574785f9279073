"""Helpers for engine tests: a whole app on a temp dir, test actions that record what ran."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.workflows.definition import parse_definition
from services.actions import ActionContext, Param
from services.bootstrap import Services
from services.workflows.service import WorkflowsService


@dataclass
class Recorder:
    """Test actions: ``record`` (appends its tag), ``undo`` (appends 'undo:tag'), ``flaky`` (plan per attempt)."""

    calls: list[str] = field(default_factory=list)


@pytest.fixture
def wf(services: Services) -> WorkflowsService:
    svc = services.workflows
    assert isinstance(svc, WorkflowsService)
    return svc


@pytest.fixture
def rec(wf: WorkflowsService) -> Recorder:
    r = Recorder()
    reg = wf.registry

    @reg.action("record", Param("tag", str), idempotent=False)
    def record(actx: ActionContext, tag: str) -> dict[str, Any]:
        r.calls.append(tag)
        return {"tag": tag, "attempt": actx.attempt}

    @reg.action("undo", Param("tag", str), Param("fail", bool, required=False, default=False), idempotent=True)
    def undo(actx: ActionContext, tag: str, fail: bool = False) -> dict[str, Any]:
        r.calls.append(f"undo:{tag}")
        if fail:
            raise RuntimeError(f"cannot undo {tag}")
        return {}

    @reg.action("flaky", Param("tag", str), Param("plan", list), idempotent=True)
    def flaky(actx: ActionContext, tag: str, plan: list[str]) -> dict[str, Any]:
        r.calls.append(f"{tag}#{actx.attempt}")
        outcome = plan[min(actx.attempt, len(plan)) - 1]
        if outcome != "ok":
            raise RuntimeError(f"{tag} failed at attempt {actx.attempt}")
        return {"tag": tag}

    return r


def run_def(wf: WorkflowsService, data: dict[str, Any], inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    defn = parse_definition(data)

    async def go() -> str:
        return await wf.engine.run(defn, inputs or {})

    run_id = asyncio.run(go())
    return wf.show(run_id)


RunDef = Callable[..., dict[str, Any]]


@pytest.fixture
def run(wf: WorkflowsService) -> RunDef:
    return lambda data, inputs=None: run_def(wf, data, inputs)


@pytest.fixture
def run_in() -> Callable[..., dict[str, Any]]:
    """Run a definition on a given workflows service (for tests that build their own app)."""
    return run_def
