"""The ``make_services`` fixture starts a fresh data dir from the file the migrations made once this session."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command

from services.bootstrap import Services
from services.db import migrate

pytestmark = pytest.mark.sqlite_only  # about the SQLite file a test's app starts on


def _migrating_again(*_args: object, **_kwargs: object) -> None:
    pytest.fail("the migrations ran again on a fresh data dir")


def test_a_fresh_data_dir_is_not_migrated_again(make_services: Callable[..., Services],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "upgrade", _migrating_again)
    services = make_services()
    assert migrate.current_revisions(services.ctx.engine) == migrate.head_revisions()


def test_the_copy_is_the_migrated_schema_and_owner_only(make_services: Callable[..., Services], data_dir: Path,
                                                        migrated_template: Path) -> None:
    make_services().close()
    db = data_dir / "trendforge.sqlite3"
    schema = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    with closing(sqlite3.connect(db)) as copy, closing(sqlite3.connect(migrated_template)) as made:
        assert copy.execute(schema).fetchall() == made.execute(schema).fetchall()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
