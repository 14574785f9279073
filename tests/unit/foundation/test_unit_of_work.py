"""Unit of work: events persist with the change and publish only after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.events import Event, SettingsChanged
from services.context import ServiceContext
from services.db.models import SettingRecord
from services.events.store import EventQuery


def test_commit_writes_change_and_event_then_publishes(memory_context: ServiceContext) -> None:
    seen: list[Event] = []
    memory_context.bus.published.connect(seen.append)
    with memory_context.new_uow() as uow:
        uow.session.add(SettingRecord(key="a", value=1))
        uow.record(SettingsChanged(keys=("a",)))
        assert seen == []  # nothing before commit
        uow.commit()
    assert [e.type for e in seen] == ["settings.changed"]
    with memory_context.new_uow() as uow:
        assert uow.session.scalar(select(SettingRecord.value).where(SettingRecord.key == "a")) == 1


def test_exception_rolls_back_change_and_event(memory_context: ServiceContext) -> None:
    seen: list[Event] = []
    memory_context.bus.published.connect(seen.append)
    with pytest.raises(RuntimeError), memory_context.new_uow() as uow:
        uow.session.add(SettingRecord(key="b", value=2))
        uow.record(SettingsChanged(keys=("b",)))
        uow.session.flush()
        raise RuntimeError("midway")
    assert seen == []
    assert memory_context.bus.history(EventQuery(types=["settings.changed"])) == []
    with memory_context.new_uow() as uow:
        assert uow.session.get(SettingRecord, "b") is None


def test_leaving_without_commit_rolls_back(memory_context: ServiceContext) -> None:
    with memory_context.new_uow() as uow:
        uow.session.add(SettingRecord(key="c", value=3))
        uow.record(SettingsChanged(keys=("c",)))
    with memory_context.new_uow() as uow:
        assert uow.session.get(SettingRecord, "c") is None
    assert memory_context.bus.history() == []
