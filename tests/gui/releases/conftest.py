"""The Play stand-in for the Releases view tests, with a service account that may publish one app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.bootstrap import Services
from tests.support.play_standin import PlayStandIn

PACKAGE = "com.trendforge.trivia"


@pytest.fixture
def play(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlayStandIn]:
    st = PlayStandIn().start()
    monkeypatch.setenv("TRENDFORGE_PLAY_BASE_URL", st.url)
    account = st.add_account()
    st.add_app(PACKAGE, grant=account)
    st.seed(PACKAGE, "production", {"versionCodes": ["10000"], "status": "completed",
                                    "releaseNotes": [{"language": "en-US", "text": "First release"}]},
            {"versionCodes": ["10100"], "status": "inProgress", "userFraction": 0.1,
             "releaseNotes": [{"language": "en-US", "text": "Streaks and a dark theme"}]})
    st.seed(PACKAGE, "internal", {"versionCodes": ["10200"], "status": "completed"})
    st.apps[PACKAGE].listings["en-US"] = {"language": "en-US", "title": "Trivia Quiz",
                                          "shortDescription": "Ten questions a day.", "fullDescription": "A quiz."}
    services.releases.store_key(st.key_json(account))
    try:
        yield st
    finally:
        st.stop()
