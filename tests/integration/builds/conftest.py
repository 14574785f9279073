"""Fixtures of the builds tests: sample template packages, one shared keystore, the service (tests/support/builds_fixtures.py), and the Play stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from services.bootstrap import Services
from tests.support.builds_fixtures import (
    PLAY_APP_IDS,
    builds,
    folder_templates,
    other_keystore,
    package_factory,
    packages,
    shared_keystore,
)
from tests.support.play_standin import Account, PlayStandIn

__all__ = ["builds", "folder_templates", "other_keystore", "package_factory", "packages", "shared_keystore"]

# --- the Google Play stand-in (tests/support/play_standin.py), on 127.0.0.1 -----------------------------


@dataclass(frozen=True)
class PlayFixture:
    standin: PlayStandIn
    account: Account


@pytest.fixture
def play(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlayFixture]:
    """The stand-in, with a service account that may publish the sample apps, its key in the secret store."""
    st = PlayStandIn().start()
    monkeypatch.setenv("TRENDFORGE_PLAY_BASE_URL", st.url)
    account = st.add_account()
    for app_id in PLAY_APP_IDS:
        st.add_app(app_id, grant=account)
    services.releases.store_key(st.key_json(account))
    try:
        yield PlayFixture(st, account)
    finally:
        st.stop()
