"""Opening a damaged data dir: one StoreError naming the file and what to do; doctor still reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.bootstrap import Services, bootstrap
from services.config import AppConfig
from services.db.preflight import StoreError
from services.secrets import MemorySecretStore
from services.system import offline_checks
from tests.support.damage import DAMAGE, DB_NAME, read_only

pytestmark = pytest.mark.sqlite_only  # about the embedded SQLite file itself


def _made(make_services: Callable[..., Services]) -> None:
    make_services().close()  # a real, migrated store on data_dir


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_database_is_one_line_naming_the_file(make_services: Callable[..., Services], data_dir: Path,
                                                       damage: str) -> None:
    _made(make_services)
    hurt, words = DAMAGE[damage]
    hurt(data_dir)
    with pytest.raises(StoreError) as err:
        bootstrap(AppConfig.from_env(data_dir), secrets=MemorySecretStore())
    message = str(err.value)
    assert words in message and str(data_dir / DB_NAME) in message and "\n" not in message
    assert "upgrade TrendForge" in message or "restore it from a backup" in message


def test_read_only_data_dir_is_one_line_naming_the_dir(make_services: Callable[..., Services], data_dir: Path) -> None:
    _made(make_services)
    with read_only(data_dir) as view, pytest.raises(StoreError) as err:
        bootstrap(AppConfig.from_env(view), secrets=MemorySecretStore())
    assert str(err.value).startswith(f"the data directory {view} is not writable (Read-only file system)")


def test_doctor_reports_everything_else(make_services: Callable[..., Services], data_dir: Path) -> None:
    _made(make_services)
    DAMAGE["newer schema"][0](data_dir)
    config = AppConfig.from_env(data_dir)
    with pytest.raises(StoreError) as err:
        bootstrap(config, secrets=MemorySecretStore())
    checks = {c.name: c for c in offline_checks(config, err.value)}
    assert not checks["database"].ok and "newer TrendForge" in checks["database"].detail
    assert checks["data_dir"].ok and checks["sqlite"].ok
    assert {"keyring", "tool:aapt2", "tool:apksigner"} <= set(checks)


def test_a_healthy_store_still_opens(make_services: Callable[..., Services], data_dir: Path) -> None:
    _made(make_services)
    manager = bootstrap(AppConfig.from_env(data_dir), secrets=MemorySecretStore())
    manager.close()
