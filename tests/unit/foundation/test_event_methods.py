"""Events share one ``__eq__``, ``__hash__`` and ``__repr__`` (app/events.py), each what ``dataclass``
generates for a frozen class: compared field by field within one class, hashed by their fields, shown as
``Name(field=value, ...)``; and they stay frozen."""

from __future__ import annotations

import dataclasses
import importlib
from datetime import UTC, datetime

import pytest

from app.builds.events import BuildFailed
from app.events import AppStarted, Event, UnknownEvent, event_class, registered_types

AREAS = ("app.builds.events", "app.payments.events", "app.releases.events", "app.templates.events",
         "app.trends.events", "app.workflows.events")
WHEN = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def _all_event_classes() -> list[type[Event]]:
    for module in AREAS:
        importlib.import_module(module)
    classes = [event_class(name) for name in registered_types()]  # and the ones tests register: not the app's
    return [cls for cls in classes if cls is not None and cls.__module__.startswith("app.")] + [UnknownEvent]


def test_no_event_class_compiles_its_own_eq_hash_or_repr() -> None:
    """Generated per class they were half the cost of defining an event class at import (~0.5 ms each)."""
    own = [(cls.__name__, name) for cls in _all_event_classes() for name in ("__eq__", "__hash__", "__repr__")
           if name in vars(cls)]
    assert own == []


def test_events_of_one_class_with_the_same_fields_are_equal_and_hash_alike() -> None:
    a = BuildFailed(id="e1", timestamp=WHEN, build_id="b1", error="gradle failed")
    b = BuildFailed(id="e1", timestamp=WHEN, build_id="b1", error="gradle failed")
    assert a == b
    assert hash(a) == hash(b)


def test_events_differing_in_one_payload_field_are_not_equal() -> None:
    a = BuildFailed(id="e1", timestamp=WHEN, build_id="b1", error="gradle failed")
    assert a != dataclasses.replace(a, error="aapt2 failed")


def test_events_of_two_classes_are_not_equal_even_with_the_same_fields() -> None:
    started = AppStarted(id="e1", timestamp=WHEN)
    unknown = UnknownEvent(id="e1", timestamp=WHEN)
    assert started != unknown
    assert started.__eq__(unknown) is NotImplemented


def test_an_event_is_shown_as_its_class_and_every_field() -> None:
    event = AppStarted(id="e1", timestamp=WHEN, version="1.2.3")
    assert repr(event) == (
        "AppStarted(id='e1', timestamp=datetime.datetime(2026, 12, 2, 1, 0, tzinfo=datetime.timezone.utc), "
        "source='app', correlation_id=None, causation_id=None, actor=None, version='1.2.3', data_dir='')")


def test_an_event_stays_frozen() -> None:
    event = BuildFailed(build_id="b1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.build_id = "b2"  # type: ignore[misc]
