"""Time-ordered ids (app/ids.py): UUIDv7 of RFC 9562 written as 32 hex digits, increasing in the
order one process makes them, across threads, when the clock stands still or steps back, and
never the same in a forked child as in its parent."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from app import ids
from app.events import AppStarted

HEX32 = re.compile(r"[0-9a-f]{32}")


def unix_ms(text: str) -> int:
    return uuid.UUID(hex=text).int >> 80


def clock_ms(values: list[int]) -> Callable[[], int]:
    """A wall clock (nanoseconds) that answers these milliseconds, one per call, then the last one."""
    answers = iter(values)
    last = [values[-1]]

    def now_ns() -> int:
        last[0] = next(answers, last[0])
        return last[0] * 1_000_000

    return now_ns


def test_an_id_is_32_lower_case_hex_digits_like_a_uuid4_hex() -> None:
    made = ids.time_ordered_id()
    assert HEX32.fullmatch(made)
    assert len(made) == len(uuid.uuid4().hex)


def test_an_id_is_a_version_7_uuid_of_the_rfc_variant() -> None:
    parsed = uuid.UUID(hex=ids.time_ordered_id())
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122


def test_an_id_carries_the_unix_time_in_milliseconds_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = ids.time_ordered_id()
    after = time.time_ns() // 1_000_000
    assert before <= unix_ms(made) <= after


def test_an_events_default_id_is_time_ordered() -> None:
    first, second = AppStarted(version="1"), AppStarted(version="2")
    assert uuid.UUID(hex=first.id).version == 7
    assert first.id < second.id


def test_ids_made_within_one_millisecond_increase() -> None:
    source = ids.TimeOrderedIds(clock_ms([5_000_000]))
    made = [source.new() for _ in range(1000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert {unix_ms(m) for m in made} == {5_000_000}


def test_ids_keep_increasing_when_the_clock_steps_back() -> None:
    source = ids.TimeOrderedIds(clock_ms([6_000_000, 6_000_000, 5_999_990, 6_000_001]))
    made = [source.new() for _ in range(4)]
    assert made == sorted(made)
    assert [unix_ms(m) for m in made] == [6_000_000, 6_000_000, 6_000_000, 6_000_001]


def test_a_forked_child_does_not_count_on_from_its_parents_last_id() -> None:
    source = ids.TimeOrderedIds(clock_ms([7_000_000]))  # parent and child in one millisecond
    source.new()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its ids and leave without running the parent's clean-up
        try:
            os.write(write, "".join(source.new() for _ in range(50)).encode())
        finally:
            os._exit(0)
    os.close(write)
    parents = {source.new() for _ in range(50)}
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(pid, 0)
    childs = {text[i : i + 32] for i in range(0, len(text), 32)}
    assert len(childs) == 50
    assert parents.isdisjoint(childs)


@settings(max_examples=25, deadline=None)
@given(threads=st.integers(min_value=2, max_value=8), each=st.integers(min_value=1, max_value=400))
def test_ids_made_on_many_threads_are_unique_and_increase_on_each(threads: int, each: int) -> None:
    made: list[list[str]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads)

    def work(k: int) -> None:
        start.wait()
        made[k].extend(ids.time_ordered_id() for _ in range(each))

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    later = ids.time_ordered_id()
    everything = [m for one in made for m in one]
    assert len(set(everything)) == threads * each
    assert all(one == sorted(one) for one in made)
    assert later > max(everything)
