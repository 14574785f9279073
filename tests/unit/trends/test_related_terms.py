"""The candidate terms of related trends: shared words and bands of move directions."""

from __future__ import annotations

from app.trends.related_terms import BAND, movement_terms, related_terms, word_terms

UP_DOWN = [1.0, 3, 2, 5, 4, 8, 6, 9, 7, 10, 9, 12, 11, 14, 13, 16]


def test_series_that_move_together_share_every_band() -> None:
    scaled = [v * 300 + 50 for v in UP_DOWN]
    assert movement_terms(UP_DOWN, 30) == movement_terms(scaled, 30)
    assert len(movement_terms(UP_DOWN, 30)) == (len(UP_DOWN) - 1) // BAND


def test_series_that_move_apart_share_no_band() -> None:
    mirrored = [40.0 - v for v in UP_DOWN]
    assert not set(movement_terms(UP_DOWN, 30)) & set(movement_terms(mirrored, 30))


def test_bands_count_from_the_newest_move() -> None:
    longer = [100.0, 50.0, 75.0, *UP_DOWN]
    assert movement_terms(longer, 30)[: len(movement_terms(UP_DOWN, 30))] == movement_terms(UP_DOWN, 30)


def test_flat_series_have_no_movement_term() -> None:
    assert movement_terms([5.0] * 30, 30) == []


def test_words_are_the_meaningful_title_words() -> None:
    assert word_terms("The Eras Tour tickets") == ["w:eras", "w:tour", "w:tickets"]
    assert related_terms("#TaylorSwift", [], 30) == ["w:taylor", "w:swift"]
