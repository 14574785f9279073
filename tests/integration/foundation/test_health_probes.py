"""`health` reports every area without building it: each area not built yet is probed by the same
function its service answers with, so the report is the same before and after the areas are built."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from typing import Any

from app.errors import SecretStoreError
from services.bootstrap import Area, Services
from services.payments.models import ProviderHealthRecord
from services.secrets import MemorySecretStore
from services.trends.models import SourceHealthRecord
from services.workflows.models import WorkflowRunRecord
from services.workflows.temporal.config import ADDRESS_ENV


def _troubled(services: Services) -> None:
    """A provider in its cool-down and a failing trend source: the probes have something to say."""
    with services.ctx.new_uow() as uow:
        uow.session.add(ProviderHealthRecord(provider="stripe", state="unhealthy", consecutive_failures=3,
                                             last_error="stripe could not be reached",
                                             unhealthy_until=datetime(2030, 1, 1, tzinfo=UTC)))
        uow.session.add(SourceHealthRecord(name="reddit", failures=2, last_error="reddit answered 503", last_items=0,
                                           notes={}))
        uow.commit()


def test_the_health_report_builds_no_area(services: Services) -> None:
    services.health()
    assert services.built() == []


def _left_running_by_a_gone_process(services: Services) -> None:
    """A run whose process ended without recording it (killed): recovery has not seen it yet."""
    gone = _reaped_pid()
    with services.ctx.new_uow() as uow:
        uow.session.add(WorkflowRunRecord(id="a" * 32, workflow="demo", definition={"name": "demo", "steps": []},
                                          status="running", inputs={}, created_at=datetime.now(UTC),
                                          owner_pid=gone, owner_token="1:gone", signals={}))
        uow.commit()


def _reaped_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_run_left_by_a_gone_process_degrades_workflows_before_recovery_as_after(services: Services) -> None:
    _left_running_by_a_gone_process(services)
    probed = {s["name"]: s for s in services.health()["services"]}["workflows"]
    services.build(Area.WORKFLOWS)  # started: its recovery marks the run interrupted
    built = {s["name"]: s for s in services.health()["services"]}["workflows"]
    assert services.workflows.show("a" * 32)["status"] == "interrupted"
    assert probed == built and probed["state"] == "degraded" and "1 interrupted run" in probed["detail"]


def test_an_area_probed_reports_what_its_built_service_reports(services: Services) -> None:
    _troubled(services)
    probed = services.health()["services"]
    services.build_all()
    assert services.health()["services"] == probed
    states = {s["name"]: s["state"] for s in probed}
    assert states["payments"] == "degraded" and states["trends"] == "degraded"


class _LockedKeyring(MemorySecretStore):
    """A keyring that refuses every read (a locked or absent Secret Service; no real one can be made to here)."""

    def get(self, name: str) -> str | None:
        raise SecretStoreError("the OS keyring refused to read a secret")


def test_an_unreadable_keyring_degrades_releases_without_taking_health_down(make_services: Any) -> None:
    services = make_services(secrets=_LockedKeyring())
    releases = {s["name"]: s for s in services.health()["services"]}["releases"]
    assert releases["state"] == "degraded" and "keyring" in releases["detail"]


def test_in_team_mode_the_workflows_probe_says_where_new_runs_go(services: Services, monkeypatch: Any) -> None:
    monkeypatch.setenv(ADDRESS_ENV, "temporal.studio.lan:7233")
    workflows = {s["name"]: s for s in services.health()["services"]}["workflows"]
    assert workflows["detail"] == "new runs on Temporal at temporal.studio.lan:7233 (namespace default)"
