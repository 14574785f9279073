"""Fixtures for payments integration tests: localstripe and stand-in servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.bootstrap import Services
from tests.support import payments_standins as standins

STRIPE_KEY = standins.STRIPE_KEY


@pytest.fixture
def localstripe_url() -> Iterator[str]:
    """A fresh localstripe per test (its store is global to the process), on 127.0.0.1."""
    with standins.localstripe() as url:
        yield url


@pytest.fixture
def stripe_sdk(localstripe_url: str) -> Any:
    """The bare SDK against the same localstripe, to set up and inspect state."""
    import stripe

    return stripe.StripeClient(STRIPE_KEY, base_addresses={"api": localstripe_url})


@pytest.fixture
def stripe_app(pay: Callable[..., Any], localstripe_url: str, secrets: Any) -> tuple[Services, Any]:
    secrets.set("provider:stripe", STRIPE_KEY)
    return pay(TRENDFORGE_STRIPE_BASE_URL=localstripe_url)  # type: ignore[no-any-return]


@pytest.fixture
def pay(make_services: Callable[..., Services], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Build the app with fast retries; returns (manager, payments service)."""

    def build(**env: str) -> tuple[Services, Any]:
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        manager = make_services()
        svc = manager.payments
        svc.retry_initial = 0.01
        svc.retry_max = 0.05
        return manager, svc

    return build
