"""Which engine runs workflows and where Temporal is: the environment, then the settings, then defaults."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import UserError
from app.workflows.engine_kind import EngineKind
from services.workflows.temporal.config import QueueKind, engine_kind, temporal_config


def _settings(**values: Any) -> Any:
    return lambda key: values.get(key)


def test_the_in_process_engine_is_the_default() -> None:
    assert engine_kind(_settings(), {}) is EngineKind.LOCAL


def test_the_setting_selects_temporal() -> None:
    assert engine_kind(_settings(**{"workflows.engine": "temporal"}), {}) is EngineKind.TEMPORAL


def test_a_temporal_address_in_the_environment_selects_temporal_whatever_the_setting() -> None:
    env = {"TRENDFORGE_TEMPORAL_ADDRESS": "temporal.studio.lan:7233"}
    assert engine_kind(_settings(**{"workflows.engine": "local"}), env) is EngineKind.TEMPORAL
    assert temporal_config(_settings(**{"workflows.temporal_address": "other:7233"}), env).address == "temporal.studio.lan:7233"


def test_namespace_and_queues_come_from_the_settings_when_the_environment_is_silent() -> None:
    config = temporal_config(_settings(**{"workflows.temporal_namespace": "studio", "workflows.temporal_task_queue": "tf"}), {})
    assert (config.address, config.namespace) == ("127.0.0.1:7233", "studio")
    assert (config.queue(QueueKind.MAIN), config.queue(QueueKind.BUILDS)) == ("tf", "tf-builds")
    assert config.queue_for_area("builds") == "tf-builds" and config.queue_for_area("templates") == "tf"


def test_a_heartbeat_timeout_that_is_not_a_sensible_number_of_seconds_is_refused_in_one_line() -> None:
    with pytest.raises(UserError, match="TRENDFORGE_TEMPORAL_HEARTBEAT_TIMEOUT must be a number of seconds from 2 to 3600"):
        temporal_config(_settings(), {"TRENDFORGE_TEMPORAL_HEARTBEAT_TIMEOUT": "soon"})
