"""The unit tests' in-memory service context (tests/support/memory_context.py): migrated, and fresh per test."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from services.context import ServiceContext
from services.db import migrate
from services.db.models import SettingRecord
from tests.support.memory_context import memory_service_context


def test_the_context_holds_every_migration(memory_context: ServiceContext) -> None:
    assert migrate.current_revisions(memory_context.engine) == migrate.head_revisions()


def test_each_context_starts_from_the_template_not_from_another_tests_writes(
        migrated_template: Path, tmp_path: Path) -> None:
    first = memory_service_context(migrated_template, tmp_path)
    with first.new_uow() as uow:
        uow.session.add(SettingRecord(key="a", value=1))
        uow.commit()
    second = memory_service_context(migrated_template, tmp_path)
    with second.new_uow() as uow:
        assert uow.session.scalar(select(SettingRecord.value).where(SettingRecord.key == "a")) is None
    with first.new_uow() as uow:
        assert uow.session.scalar(select(SettingRecord.value).where(SettingRecord.key == "a")) == 1
    first.engine.dispose()
    second.engine.dispose()
