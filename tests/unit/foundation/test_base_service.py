"""BaseService: caching, metrics, retries only for transient errors, validation."""

from __future__ import annotations

import pytest

from app.errors import ProviderError, UserError
from services.base import BaseService, operation
from services.bootstrap import Services
from services.context import ServiceContext


class Counter(BaseService):
    name = "counter"
    retry_initial = 0.001
    retry_max = 0.01

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx, cache_ttl=60)
        self.loads = 0
        self.calls = 0

    @operation
    def read(self) -> int:
        def load() -> int:
            self.loads += 1
            return 42

        return self.cached("value", load)

    @operation
    def write(self) -> None:
        self.invalidate()

    @operation
    def fails(self) -> None:
        self.require(False, "give a positive amount, e.g. 9.99")

    def flaky(self, failures: int, transient: bool = True) -> str:
        def call() -> str:
            self.calls += 1
            if self.calls <= failures:
                raise ProviderError("boom", transient=transient)
            return "ok"

        return self.with_retry(call, attempts=4)


def test_cache_hits_and_invalidation(memory_context: ServiceContext) -> None:
    svc = Counter(memory_context)
    assert svc.read() == 42 and svc.read() == 42
    assert svc.loads == 1
    svc.write()
    svc.read()
    assert svc.loads == 2
    snap = svc.metrics.snapshot()
    assert snap["cache"] == {"hits": 1, "misses": 2, "hit_rate": pytest.approx(1 / 3, abs=1e-4)}
    assert snap["operations"]["read"]["count"] == 3


def test_errors_counted_and_user_error_message(memory_context: ServiceContext) -> None:
    svc = Counter(memory_context)
    with pytest.raises(UserError, match="give a positive amount"):
        svc.fails()
    ops = svc.metrics.snapshot()["operations"]["fails"]
    assert ops["count"] == 1 and ops["errors"] == 1
    assert ops["p95_ms"] >= ops["p50_ms"] >= 0


def test_transient_errors_are_retried(memory_context: ServiceContext) -> None:
    svc = Counter(memory_context)
    assert svc.flaky(failures=2) == "ok"
    assert svc.calls == 3


def test_permanent_errors_are_not_retried(memory_context: ServiceContext) -> None:
    svc = Counter(memory_context)
    with pytest.raises(ProviderError):
        svc.flaky(failures=5, transient=False)
    assert svc.calls == 1


def test_retries_give_up_after_attempts(memory_context: ServiceContext) -> None:
    svc = Counter(memory_context)
    with pytest.raises(ProviderError):
        svc.flaky(failures=10)
    assert svc.calls == 4


def test_manager_aggregates_health_and_metrics(services: Services) -> None:
    report = services.health()
    assert report["status"] == "ok"
    assert {s["name"] for s in report["services"]} >= {"events", "keyring"}
    metrics = services.metrics()
    assert "events" in metrics["services"] and metrics["events_total"] == 0


class _Page(list[int]):
    """A cached read that can be watched (a weak reference says when it is gone)."""


def test_reads_whose_time_is_up_are_let_go_when_expired_ones_are_dropped(memory_context: ServiceContext) -> None:
    import weakref

    svc = BaseService(memory_context, cache_ttl=0.0)  # every read is out of date at once
    gone = weakref.ref(svc.cached("page", lambda: _Page([1, 2, 3])))
    assert gone() is not None  # hidden from readers, still held by the cache
    svc.drop_expired()
    assert gone() is None


def test_dropping_expired_reads_keeps_the_ones_still_fresh(memory_context: ServiceContext) -> None:
    svc = Counter(memory_context)
    svc.read()
    svc.drop_expired()
    svc.read()
    assert svc.loads == 1
