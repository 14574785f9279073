"""Correlation and causation ids for the events recorded in one context (no Qt: the unit of work,
the workflow engine and the build runner stamp events with them, whether a bus exists yet or not)."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Iterator
from typing import TypeVar

from app.events import Event

E = TypeVar("E", bound=Event)

_correlation: contextvars.ContextVar[tuple[str, str | None] | None] = contextvars.ContextVar(
    "trendforge_correlation", default=None
)


@contextlib.contextmanager
def correlation(correlation_id: str, causation_id: str | None = None) -> Iterator[None]:
    """Events recorded inside this block carry ``correlation_id`` unless they set their own."""
    token = _correlation.set((correlation_id, causation_id))
    try:
        yield
    finally:
        _correlation.reset(token)


def current_correlation() -> tuple[str, str | None] | None:
    """(correlation id, causation id) of the current context, for work handed to another thread
    or a callback that runs later (re-enter it there with ``correlation(*ids)``)."""
    return _correlation.get()


def stamp(event: E) -> E:
    """Fill correlation and causation ids from the current correlation context."""
    ctx = _correlation.get()
    if ctx is None or event.correlation_id is not None:
        return event
    return dataclasses.replace(event, correlation_id=ctx[0], causation_id=event.causation_id or ctx[1])
