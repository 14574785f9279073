"""The stand-in refuses what Play refuses, so the client's own checks are not the only ones tested.

These send raw bodies past the app's domain rules, which would refuse them before any request.
"""

from __future__ import annotations

import pytest

from app.errors import ProviderError
from services.bootstrap import Services
from services.releases.edits import Edit
from tests.support.play_standin import PlayStandIn

from .conftest import PACKAGE


@pytest.mark.parametrize(("release", "message"), [
    ({"versionCodes": ["10000"], "status": "completed", "userFraction": 0.5}, "only allowed for a release with status"),
    ({"versionCodes": ["10000"], "status": "inProgress", "userFraction": 1.0}, r"must be in the range \(0, 1\)"),
    ({"versionCodes": ["10000"], "status": "inProgress"}, "userFraction is required"),
    ({"versionCodes": ["999"], "status": "completed"}, "was not uploaded"),
])
def test_track_updates_play_refuses(keyed: Services, play: PlayStandIn, release: dict[str, object],
                                    message: str) -> None:
    play.seed(PACKAGE, "production", {"versionCodes": ["10000"], "status": "completed"})
    edit = Edit.insert(keyed.releases.api(), PACKAGE)
    with pytest.raises(ProviderError, match=message) as err:
        edit._json("PUT", "/tracks/production", json={"track": "production", "releases": [release]})
    assert err.value.status_code == 400


def test_a_committed_edit_is_gone(keyed: Services, play: PlayStandIn) -> None:
    edit = Edit.insert(keyed.releases.api(), PACKAGE)
    edit.commit()
    again = Edit(keyed.releases.api(), PACKAGE, edit.id)
    assert again.exists() is False
    with pytest.raises(ProviderError, match="has expired or was committed"):
        again.validate()
