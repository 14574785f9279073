"""Typed domain events and the registry from stored type name to class.

Every event is a frozen dataclass named in the past tense, registered under a dotted
type name (``build.succeeded``). The envelope fields (id, timestamp, source,
correlation and causation ids) are common; the subclass's own fields are its payload.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar, dataclass_transform

from app.ids import time_ordered_id
from app.timeutil import utcnow

ENVELOPE_FIELDS = frozenset({"id", "timestamp", "source", "correlation_id", "causation_id", "actor"})

_REGISTRY: dict[str, type[Event]] = {}

E = TypeVar("E", bound="Event")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all events. Subclasses are registered with :func:`event_type`."""

    TYPE: ClassVar[str] = "event"

    id: str = dataclasses.field(default_factory=time_ordered_id)  # UUIDv7 hex (app/ids.py)
    timestamp: datetime = dataclasses.field(default_factory=utcnow)
    source: str = "app"
    correlation_id: str | None = None
    causation_id: str | None = None
    actor: str | None = None  # who did it ("maker@studio-pc"): filled by the event store when written

    @property
    def type(self) -> str:
        return self.TYPE

    def payload(self) -> dict[str, Any]:
        """The event's own fields (everything but the envelope), JSON-ready."""
        names = _PAYLOAD_NAMES.get(type(self))
        if names is None:
            names = _payload_names(type(self))
        # plain values as they are, without a call each (the hot path of every publication)
        return {name: v if type(v := getattr(self, name)) in _PLAIN else _jsonable(v) for name in names}

    # One __eq__, __hash__ and __repr__ for every event, each what ``dataclass`` generates (compare the
    # fields of two events of the same class; hash them; ``Name(field=value, ...)``): generated for each
    # event class they were half of the ~1 ms that defining one takes at import, 76 classes on the
    # way to the first window's data (see :func:`event_dataclass`).
    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = _compared_names(type(self))
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in _hashed_names(type(self))))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr)
        return f"{type(self).__qualname__}({shown})"

    def caused(self, event: E) -> E:
        """Return ``event`` linked to this one: same correlation id, this id as cause."""
        return dataclasses.replace(
            event,
            correlation_id=self.correlation_id or self.id,
            causation_id=self.id,
        )


_COMPARED_NAMES: dict[type[Event], tuple[str, ...]] = {}
_HASHED_NAMES: dict[type[Event], tuple[str, ...]] = {}


def _compared_names(cls: type[Event]) -> tuple[str, ...]:
    names = _COMPARED_NAMES.get(cls)
    if names is None:
        names = _COMPARED_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    return names


def _hashed_names(cls: type[Event]) -> tuple[str, ...]:
    names = _HASHED_NAMES.get(cls)
    if names is None:
        names = _HASHED_NAMES[cls] = tuple(
            f.name for f in dataclasses.fields(cls) if (f.compare if f.hash is None else f.hash))
    return names


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(dataclasses.field,))
def event_dataclass(cls: type[E]) -> type[E]:
    """An event class's fields: a frozen, keyword-only dataclass that keeps :class:`Event`'s ``__eq__``,
    ``__hash__`` and ``__repr__`` (so only ``__init__`` and the frozen guards are compiled for it)."""
    return dataclasses.dataclass(frozen=True, kw_only=True, eq=False, repr=False)(cls)


@event_dataclass
class UnknownEvent(Event):
    """A stored event whose type this version does not know; kept verbatim."""

    stored_type: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.stored_type

    def payload(self) -> dict[str, Any]:
        return dict(self.data)


_PAYLOAD_NAMES: dict[type[Event], tuple[str, ...]] = {}


def _payload_names(cls: type[Event]) -> tuple[str, ...]:
    names = _PAYLOAD_NAMES.get(cls)
    if names is None:
        names = _PAYLOAD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name not in ENVELOPE_FIELDS)
    return names


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value  # enums
    return value


def event_type(name: str) -> Callable[[type[E]], type[E]]:
    """Class decorator registering an event class under a stored type name."""

    def register(cls: type[E]) -> type[E]:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise ValueError(f"event type {name!r} registered twice")
        cls.TYPE = name
        _REGISTRY[name] = cls
        return cls

    return register


def event_class(name: str) -> type[Event] | None:
    return _REGISTRY.get(name)


def registered_types() -> list[str]:
    return sorted(_REGISTRY)


def rebuild_event(
    type_name: str,
    payload: Mapping[str, Any],
    *,
    id: str,
    timestamp: datetime,
    source: str,
    correlation_id: str | None,
    causation_id: str | None,
    actor: str | None = None,
) -> Event:
    """Rebuild a stored event; unknown types or mismatched payloads become UnknownEvent."""
    envelope: dict[str, Any] = {
        "id": id,
        "timestamp": timestamp,
        "source": source,
        "correlation_id": correlation_id,
        "causation_id": causation_id,
        "actor": actor,
    }
    cls = _REGISTRY.get(type_name)
    if cls is not None:
        names = {f.name for f in dataclasses.fields(cls)} - ENVELOPE_FIELDS
        if names >= set(payload):
            try:
                return cls(**envelope, **{k: payload[k] for k in payload})
            except TypeError:
                pass
    return UnknownEvent(**envelope, stored_type=type_name, data=dict(payload))


# --- events of the foundation -------------------------------------------------


@event_type("app.started")
@event_dataclass
class AppStarted(Event):
    version: str = ""
    data_dir: str = ""


@event_type("credential.set")
@event_dataclass
class CredentialSet(Event):
    """A credential was stored in the keyring. The secret itself is never in an event."""

    name: str = ""


@event_type("credential.deleted")
@event_dataclass
class CredentialDeleted(Event):
    name: str = ""


@event_type("settings.changed")
@event_dataclass
class SettingsChanged(Event):
    keys: tuple[str, ...] = ()
