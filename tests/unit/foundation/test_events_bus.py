"""The bus: typed subscriptions, wildcard, failing subscribers, correlation, replay."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from app.events import AppStarted, CredentialSet, Event, event_class, event_type, rebuild_event
from services.context import ServiceContext
from services.events.bus import RECENT_IDS
from services.events.correlation import correlation
from services.events.store import EventQuery


@event_type("test.pinged")
@dataclasses.dataclass(frozen=True, kw_only=True)
class Pinged(Event):
    n: int = 0


def test_registry_round_trip() -> None:
    ev = Pinged(n=3, source="t")
    assert event_class("test.pinged") is Pinged
    back = rebuild_event(ev.type, ev.payload(), id=ev.id, timestamp=ev.timestamp, source="t", correlation_id=None, causation_id=None)
    assert back == ev


def test_unknown_type_is_kept_verbatim() -> None:
    ev = rebuild_event("future.thing", {"x": 1}, id="a", timestamp=AppStarted().timestamp, source="s", correlation_id=None, causation_id=None)
    assert ev.type == "future.thing" and ev.payload() == {"x": 1}


def test_subscribe_by_class_wildcard_and_prefix(memory_context: ServiceContext) -> None:
    bus = memory_context.bus
    by_class: list[Event] = []
    by_base: list[Event] = []
    by_prefix: list[Event] = []
    bus.subscribe(Pinged, by_class.append)
    bus.subscribe(Event, by_base.append)
    bus.subscribe("test.*", by_prefix.append)
    bus.publish(Pinged(n=1))
    bus.publish(AppStarted(version="1"))
    assert [e.n for e in by_class if isinstance(e, Pinged)] == [1]
    assert [e.type for e in by_base] == ["test.pinged", "app.started"]
    assert [e.type for e in by_prefix] == ["test.pinged"]


def test_unsubscribe(memory_context: ServiceContext) -> None:
    got: list[Event] = []
    off = memory_context.bus.subscribe(Pinged, got.append)
    memory_context.bus.publish(Pinged(n=1))
    off()
    memory_context.bus.publish(Pinged(n=2))
    assert len(got) == 1


def test_failing_subscriber_does_not_stop_others(memory_context: ServiceContext) -> None:
    got: list[Event] = []
    failures: list[str] = []

    def boom(_: Event) -> None:
        raise RuntimeError("subscriber bug")

    memory_context.bus.subscribe(Pinged, boom)
    memory_context.bus.subscribe(Pinged, got.append)
    memory_context.bus.subscriber_failed.connect(lambda _e, msg: failures.append(msg))
    memory_context.bus.publish(Pinged(n=1))
    assert len(got) == 1
    assert failures == ["RuntimeError: subscriber bug"]


def test_batch_publish_keeps_order_and_persists(memory_context: ServiceContext) -> None:
    emitted: list[Event] = []
    memory_context.bus.published.connect(emitted.append)
    memory_context.bus.publish_batch([Pinged(n=i) for i in range(50)])
    assert [e.n for e in emitted if isinstance(e, Pinged)] == list(range(50))
    stored = memory_context.bus.history(EventQuery(types=["test.pinged"], limit=0, oldest_first=True))
    assert [s.event.n for s in stored if isinstance(s.event, Pinged)] == list(range(50))


def test_history_filters(memory_context: ServiceContext) -> None:
    bus = memory_context.bus
    with correlation("run-1"):
        bus.publish(Pinged(n=1, source="alpha"))
        bus.publish(CredentialSet(name="stripe", source="settings"))
    bus.publish(Pinged(n=2, source="beta"))
    assert [s.event.type for s in bus.history(EventQuery(correlation_id="run-1", oldest_first=True))] == [
        "test.pinged",
        "credential.set",
    ]
    assert len(bus.history(EventQuery(source="beta"))) == 1
    assert len(bus.history(EventQuery(source="Beta "))) == 1  # as a person types it
    assert len(bus.history(EventQuery(types=["Credential.*"]))) == 1
    assert len(bus.history(EventQuery(types=["credential.*"]))) == 1
    assert len(bus.history(EventQuery(search="stripe"))) == 1
    assert len(bus.history(EventQuery(limit=2))) == 2
    assert memory_context.bus.counts_by_type()["test.pinged"] == 2


def test_time_range_and_replay(memory_context: ServiceContext) -> None:
    bus = memory_context.bus
    first = bus.publish(Pinged(n=1))
    later = dataclasses.replace(Pinged(n=2), timestamp=first.timestamp + timedelta(hours=1))
    bus.publish(later)
    assert len(bus.history(EventQuery(since=first.timestamp + timedelta(minutes=30)))) == 1
    assert len(bus.history(EventQuery(until=first.timestamp + timedelta(minutes=30)))) == 1
    replayed: list[Event] = []
    published: list[Event] = []
    bus.subscribe(Pinged, replayed.append)
    bus.published.connect(published.append)
    n = bus.replay(first.timestamp + timedelta(minutes=1))
    assert n == 1
    assert [e.n for e in replayed if isinstance(e, Pinged)] == [2]
    assert published == []  # a replay is not a new publication
    assert len(bus.history(EventQuery(limit=0))) == 2  # nothing written again


def test_caused_links_correlation() -> None:
    parent = Pinged(n=1)
    child = parent.caused(Pinged(n=2))
    assert child.correlation_id == parent.id and child.causation_id == parent.id


def test_commit_on_a_worker_thread_delivers_on_the_bus_thread(memory_context: ServiceContext, qtbot: object) -> None:
    import threading

    seen: list[tuple[int, int]] = []
    memory_context.bus.subscribe(Pinged, lambda e: seen.append((threading.get_ident(), e.n)))  # type: ignore[attr-defined]
    worker = threading.Thread(target=lambda: memory_context.bus.publish(Pinged(n=7)))
    worker.start()
    worker.join()
    assert seen == []  # not delivered on the worker
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=3000)  # type: ignore[attr-defined]
    assert seen == [(threading.get_ident(), 7)]
    assert len(memory_context.bus.history(EventQuery(types=["test.pinged"]))) == 1


def test_the_bus_remembers_at_least_the_last_recent_ids_it_dispatched(memory_context: ServiceContext) -> None:
    bus = memory_context.bus
    sent = [AppStarted(version=str(i)) for i in range(RECENT_IDS + 1500)]
    for i in range(0, len(sent), 1000):
        bus.dispatch(sent[i : i + 1000])
    assert all(bus.dispatched_here(e.id) for e in sent[-RECENT_IDS:])


def test_the_bus_forgets_ids_it_dispatched_long_ago(memory_context: ServiceContext) -> None:
    bus = memory_context.bus
    first = AppStarted(version="first")
    bus.dispatch([first])
    for k in range(3 * RECENT_IDS // 1000):
        bus.dispatch([AppStarted(version=f"{k}.{i}") for i in range(1000)])
    assert not bus.dispatched_here(first.id)
