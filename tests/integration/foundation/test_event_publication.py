"""Publishing a batch of events: one announcement per committed batch, the per-event signal to
whoever listens, the stored text of payloads and times (real SQLite in a temp dir)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from app.events import AppStarted, Event, event_type
from services.bootstrap import Services
from services.events.store import EventQuery, stored_row


@event_type("test.noted")
@dataclasses.dataclass(frozen=True, kw_only=True)
class Noted(Event):
    n: int = 0
    note: Any = None


def test_a_committed_batch_is_announced_once_with_its_events_in_order(services: Services) -> None:
    batches: list[tuple[Event, ...]] = []
    services.bus.batch_published.connect(batches.append)
    sent = services.bus.publish_batch([Noted(n=i) for i in range(50)])
    assert len(batches) == 1
    assert [e.id for e in batches[0]] == [e.id for e in sent]


def test_a_listener_connected_after_unheard_batches_hears_every_event_of_the_next(services: Services) -> None:
    services.bus.publish_batch([Noted(n=i) for i in range(3)])  # nobody listens to `published` yet
    heard: list[Event] = []
    services.bus.published.connect(heard.append)
    sent = services.bus.publish_batch([Noted(n=i) for i in range(5)])
    assert [e.id for e in heard] == [e.id for e in sent]


def test_replayed_events_are_not_announced_as_a_new_batch(services: Services) -> None:
    first = services.bus.publish(Noted(n=1))
    batches: list[tuple[Event, ...]] = []
    replayed: list[Event] = []
    services.bus.batch_published.connect(batches.append)
    services.bus.replayed.connect(replayed.append)
    services.bus.replay(first.timestamp, ["test.noted"])
    assert [e.id for e in replayed] == [first.id]
    assert batches == []


def test_event_counts_are_read_again_after_a_batch(services: Services) -> None:
    services.bus.publish(Noted(n=0))
    assert services.events.counts_by_type()["test.noted"] == 1  # now cached
    services.bus.publish_batch([Noted(n=i) for i in range(4)])
    assert services.events.counts_by_type()["test.noted"] == 5


@pytest.mark.parametrize("note", [
    {"z": 1, "a": [1.5, None, True], "m": {"y": "café", "b": "\"quoted\"\n"}},
    "naïve ☃",
    [3, 2, 1],
    datetime(2026, 3, 1, tzinfo=UTC).isoformat(),
    10**30,
])
def test_stored_payload_text_is_what_the_json_module_writes(note: object) -> None:
    event = Noted(n=7, note=note)
    payload_text = stored_row(event, None)[6]
    assert payload_text == json.dumps(event.payload(), separators=(",", ":"), sort_keys=True, default=str,
                                      ensure_ascii=False)


def test_stored_events_read_back_as_published(services: Services) -> None:
    sent = services.bus.publish_batch([Noted(n=i, note={"k": "ü"}, correlation_id="c1") for i in range(3)]
                                      + [AppStarted(version="9")])
    stored = services.bus.history(EventQuery(limit=0, oldest_first=True))
    assert [s.event for s in stored][-4:] == [dataclasses.replace(e, actor=services.bus.store.actor) for e in sent]


def test_stored_event_ids_are_time_ordered_uuids_in_the_order_of_the_log(services: Services) -> None:
    services.bus.publish_batch([Noted(n=i) for i in range(300)])
    services.bus.publish(Noted(n=300))
    stored = services.bus.history(EventQuery(types=["test.noted"], limit=0, oldest_first=True))
    got = [s.event.id for s in stored]
    assert len(got) == 301
    assert got == sorted(got)  # the seq order is the id order
    assert {uuid.UUID(hex=i).version for i in got} == {7}
    assert all(len(i) == 32 and i == i.lower() for i in got)
