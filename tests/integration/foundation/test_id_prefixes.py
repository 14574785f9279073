"""One id resolver (services.db.ids) behind every command and panel that takes an id, on real SQLite."""

from __future__ import annotations

import pytest

from app.errors import NotFoundError, UserError
from app.events import CredentialSet
from app.remedies import ListEvents, WorkflowHistory
from services.bootstrap import Services
from services.db.ids import resolve_id
from services.events.store import EventQuery
from services.workflows.models import WorkflowRunRecord as RunRecord

RUN_A = "a1b2c3d4" + "0" * 24
RUN_B = "a1b2ffff" + "0" * 24


def _publish(services: Services, *correlations: str) -> None:
    for corr in correlations:
        services.bus.publish(CredentialSet(name="stripe", source="settings", correlation_id=corr))


def test_events_by_a_correlation_prefix(services: Services) -> None:
    _publish(services, RUN_A, RUN_A, RUN_B)
    found = services.events.history(EventQuery(correlation_id=RUN_A[:6]))
    assert [e.event.correlation_id for e in found] == [RUN_A, RUN_A]


def test_an_ambiguous_correlation_prefix_is_refused(services: Services) -> None:
    _publish(services, RUN_A, RUN_B)
    with pytest.raises(UserError, match="'a1b2' is ambiguous"):
        services.events.history(EventQuery(correlation_id="a1b2"))


def test_a_correlation_no_event_carries_lists_nothing(services: Services) -> None:
    _publish(services, RUN_A)
    assert services.events.history(EventQuery(correlation_id="ffff0000")) == []


def test_the_resolver_refuses_a_too_short_prefix_and_names_a_missing_id(services: Services) -> None:
    with services.ctx.new_uow() as uow, pytest.raises(NotFoundError, match="no widget 'abcd'") as missing:
        resolve_id(uow.session, RunRecord.id, "abcd", what="widget", remedy=WorkflowHistory())
    assert isinstance(missing.value.remedy, WorkflowHistory)  # where to see the ids travels with the error
    _publish(services, RUN_A)
    with services.ctx.engine.connect() as conn:
        from services.db.models import EventRecord

        column = EventRecord.__table__.c.correlation_id  # type: ignore[attr-defined]
        with pytest.raises(UserError, match="too short"):
            resolve_id(conn, column, "a1", what="correlation", remedy=ListEvents())
        assert resolve_id(conn, column, RUN_A, what="correlation", remedy=ListEvents()) == RUN_A
