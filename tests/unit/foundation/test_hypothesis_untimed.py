"""Property tests are judged by what they find, not by the machine's speed: no example has a deadline."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st


def test_the_loaded_profile_has_no_deadline() -> None:
    assert settings().deadline is None


@given(st.integers())
def test_a_property_test_without_its_own_settings_has_no_deadline(_n: int) -> None:
    assert settings().deadline is None
