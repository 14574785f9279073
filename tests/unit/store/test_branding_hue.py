"""A derived app's icon turns far enough round the colour wheel to be told apart from its base's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.store.branding import derived_hue_shift


@given(st.text(min_size=1, max_size=60))
def test_the_turn_is_stable_and_between_125_and_235_degrees(template_id: str) -> None:
    turn = derived_hue_shift(template_id)
    assert 125 <= turn <= 235
    assert turn == derived_hue_shift(template_id)
