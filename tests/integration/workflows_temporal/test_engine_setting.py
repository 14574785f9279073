"""The workflows.engine setting takes the engine kinds only."""

from __future__ import annotations

import re

import pytest

from app.errors import UserError
from services.bootstrap import Services


def test_an_unknown_engine_setting_is_refused_with_the_choices(services: Services) -> None:
    with pytest.raises(UserError, match=re.escape("workflows.engine must be one of local, temporal, got 'temporl'")):
        services.settings.update({"workflows.engine": "temporl"})
    services.settings.update({"workflows.engine": "temporal"})
    assert services.settings.get("workflows.engine") == "temporal"
