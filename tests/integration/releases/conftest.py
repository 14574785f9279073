"""Fixtures of the releases tests: the Play stand-in on 127.0.0.1 and an app pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.bootstrap import Services
from tests.support.play_standin import Account, PlayStandIn

PACKAGE = "com.trendforge.trivia"


@pytest.fixture
def play(monkeypatch: pytest.MonkeyPatch) -> Iterator[PlayStandIn]:
    st = PlayStandIn().start()
    monkeypatch.setenv("TRENDFORGE_PLAY_BASE_URL", st.url)
    try:
        yield st
    finally:
        st.stop()


@pytest.fixture
def account(play: PlayStandIn) -> Account:
    acc = play.add_account()
    play.add_app(PACKAGE, grant=acc)
    return acc


@pytest.fixture
def keyed(services: Services, play: PlayStandIn, account: Account) -> Services:
    """The app with the service account's key stored (as `credentials set play` does)."""
    services.releases.store_key(play.key_json(account))
    return services
