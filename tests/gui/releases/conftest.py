"""The Play stand-in for the Releases view tests, with a service account that may publish one app."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
from play_standin import PlayStandIn

from services.bootstrap import Services

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
