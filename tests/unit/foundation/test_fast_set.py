"""What `make test-fast` leaves out is decided by what a test drives (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.support.backends import StoreBackend


def test_the_postgresql_run_of_a_suite_is_slow_and_its_sqlite_run_is_not(request: pytest.FixtureRequest,
                                                                          backend: StoreBackend) -> None:
    slow = request.node.get_closest_marker("slow") is not None
    assert slow is (backend is StoreBackend.POSTGRESQL)


def test_a_test_that_drives_no_slow_part_is_in_the_fast_set(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("slow") is None


@pytest.mark.child_process
def test_a_test_that_says_it_starts_another_program_is_slow(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("slow") is not None
