"""Identifiers: random ones, and time-ordered ones for rows appended in time order (events).

A time-ordered id is a UUIDv7 (RFC 9562, section 5.7): a 48-bit Unix timestamp in milliseconds,
the version (7) and variant (``10``) bits, and 74 bits that are random at each new millisecond
and count up within it (section 6.2, method 2: monotonic random), so the ids one process makes
sort in the order it made them, across threads, even when the clock stands still or steps back
(the last millisecond is kept until the clock passes it). Written as 32 lower-case hex digits,
the same text as ``uuid4().hex``; nothing parses the timestamp back (the events' ``seq`` column
is their order).

Why: an index over random ids takes each insert at a random leaf, so once the index outgrows the
page cache every insert reads and dirties a page of its own; ids that grow go to the rightmost
leaf. The event log appends tens of thousands of rows a second into a table of millions.

Random ids stay random where a short prefix is shown or typed (builds, runs, payments: "build
3f2a9c1e"): the first 8 digits of time-ordered ids made within a minute are the same.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable

_RANDOM_BITS = 74  # rand_a (12 bits) and rand_b (62 bits)
_RAND_B_BITS = 62
_RAND_B_MASK = (1 << _RAND_B_BITS) - 1
_VERSION_7 = 0x7 << 76
_VARIANT = 0b10 << 62
_COUNTER_LIMIT = 1 << _RANDOM_BITS


def random_id() -> str:
    """A random id: 32 lower-case hex digits (uuid4)."""
    return uuid.uuid4().hex


def _fresh_counter() -> int:
    # 73 random bits: the top bit of the 74 starts clear, so counting up within one millisecond
    # cannot run out (2**73 steps)
    return int.from_bytes(os.urandom(10)) >> 7


class TimeOrderedIds:
    """A source of UUIDv7 ids, each greater than every one it made before (thread-safe).

    ``clock_ns``: the wall clock in nanoseconds since the Unix epoch (tests pass their own).
    """

    def __init__(self, clock_ns: Callable[[], int] = time.time_ns) -> None:
        self._clock_ns = clock_ns
        self._lock = threading.Lock()
        self._last_ms = 0
        self._counter = 0
        _SOURCES.add(self)

    def new(self) -> str:
        """A UUIDv7 as 32 lower-case hex digits."""
        now = self._clock_ns() // 1_000_000
        with self._lock:
            if now > self._last_ms:
                self._last_ms = now
                self._counter = _fresh_counter()
            else:  # the same millisecond, or the clock stepped back: count on from the last id
                self._counter += 1
                if self._counter >= _COUNTER_LIMIT:  # never in practice; RFC 9562 6.2: move the time on
                    self._last_ms += 1
                    self._counter = _fresh_counter()
            ms, counter = self._last_ms, self._counter
        value = (ms << 80) | _VERSION_7 | ((counter >> _RAND_B_BITS) << 64) | _VARIANT | (counter & _RAND_B_MASK)
        return f"{value:032x}"

    def _forget(self) -> None:
        """In a forked child: start a new millisecond of its own (counting on from the parent's last
        id would make the ids the parent makes next)."""
        self._lock = threading.Lock()
        self._last_ms = 0


_SOURCES: weakref.WeakSet[TimeOrderedIds] = weakref.WeakSet()


def _forget_all_after_fork() -> None:
    for source in list(_SOURCES):
        source._forget()


os.register_at_fork(after_in_child=_forget_all_after_fork)

time_ordered_id: Callable[[], str] = TimeOrderedIds().new
"""A UUIDv7 as 32 lower-case hex digits, greater than every one this process made before."""
