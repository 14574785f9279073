"""The composition root: areas built on first use, constructing apart from starting, stats sources wired."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

from app.payments.model import Provider, TxnStatus
from services.bootstrap import Area, Services, bootstrap, build_services
from services.config import AppConfig
from services.payments.ledger import Ledger
from services.payments.providers.base import RemoteTxn
from services.secrets import MemorySecretStore


def _built(data_dir: Path) -> Services:
    return build_services(AppConfig.from_env(data_dir), secrets=MemorySecretStore())


def test_no_area_is_built_until_it_is_asked_for(data_dir: Path) -> None:
    services = _built(data_dir)
    try:
        assert services.built() == []
        builds = services.builds
        assert services.built() == [Area.BUILDS]  # the template catalogue it holds is built on its first use
        assert services.builds is builds
    finally:
        services.close()


def test_constructing_runs_no_start_up_chore(data_dir: Path) -> None:
    services = _built(data_dir)
    try:
        assert services.workflows.list_definitions() == []  # built-ins are stored by start()
    finally:
        services.close()


def test_start_runs_the_chores_of_areas_built_before_and_after_it(data_dir: Path) -> None:
    services = _built(data_dir)
    try:
        workflows = services.workflows
        services.start()
        assert {d["name"] for d in workflows.list_definitions()} >= {"trend-to-release"}
    finally:
        services.close()


def test_an_area_built_after_start_is_started_when_built(data_dir: Path) -> None:
    services = bootstrap(AppConfig.from_env(data_dir), secrets=MemorySecretStore())
    try:
        assert Area.WORKFLOWS not in services.built()
        assert {d["name"] for d in services.workflows.list_definitions()} >= {"trend-to-release"}
    finally:
        services.close()


def test_each_area_registers_its_workflow_actions(services: Services) -> None:
    assert set(services.workflows.area_actions) == {"trends", "templates", "builds", "payments"}
    assert Area.BUILDS not in services.built()  # an action builds its area when it runs, not before


def test_template_stats_carry_the_revenue_of_the_payments_area(services: Services) -> None:
    samples = Path(__file__).resolve().parents[3] / "resources" / "samples"
    assert services.templates.import_path(samples / "quotes-daily").ok
    now = services.ctx.clock()
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, now)
        ledger.upsert_txns([RemoteTxn(provider=Provider.STRIPE, provider_id="pi_1", status=TxnStatus.SUCCEEDED, amount=1299,
                                      currency="USD", created_at=now, template_id="quotes-daily", charge_id="ch_1")])
        ledger.flush_totals()
        uow.commit()
    assert Area.PAYMENTS not in services.built()
    stats = services.templates.stats(["quotes-daily"])["quotes-daily"]
    assert (stats.revenue_minor, stats.currency, stats.sales) == (1299, "USD", 1)
    assert Area.PAYMENTS not in services.built() and Area.BUILDS not in services.built()  # read, not built


def test_schedules_start_only_when_asked(qapp: Any, services: Services) -> None:
    assert services.trends.scheduler is None
    services.start_schedules()
    assert services.trends.scheduler is not None and services.trends.scheduler.active


def test_a_closed_app_is_freed_without_a_garbage_collection(data_dir: Path, qapp: Any) -> None:
    """No reference cycle holds the areas (and their QObjects) until a collection on some other thread."""
    gc.collect()
    gc.disable()
    try:
        services = bootstrap(AppConfig.from_env(data_dir), secrets=MemorySecretStore())
        services.build_all()
        assert services.builds.runner is not None
        refs = [weakref.ref(services), weakref.ref(services.builds), weakref.ref(services.templates)]
        services.close()
        del services
        assert [r() is None for r in refs] == [True, True, True]
    finally:
        gc.enable()
