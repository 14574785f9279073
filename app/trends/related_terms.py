"""The candidate index behind related trends: a few terms per trend, so that finding the trends worth
scoring is one indexed lookup instead of a pass over every trend's history.

Two kinds of term:
- ``w:<word>`` for each meaningful word of the title (:func:`app.trends.normalize.tokens`): trends that
  share a word are candidates for text similarity;
- ``m<band>:<signs>`` for each band of the directions of the last moves (up ``+``, down ``-``, flat
  ``0``), locality-sensitive hashing for co-movement: two trends that move together agree on the signs
  of their moves, so they share at least one whole band. Series that agree on every move always
  meet; weaker co-movers meet with a probability that falls as they disagree more.

Co-movement is then computed only on the candidates (:func:`app.trends.correlate.related`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from app.trends.normalize import tokens

BAND = 5  # moves per band: 3**5 = 243 codes each
MAX_WORDS = 12


def word_terms(title: str) -> list[str]:
    return [f"w:{w}" for w in dict.fromkeys(tokens(title))][:MAX_WORDS]


def movement_terms(series: Sequence[float], length: int) -> list[str]:
    """One term per full band of the last ``length - 1`` moves, counted from the newest; a band
    with no move at all (flat) says nothing and is left out."""
    values = list(series[-length:])
    moves = ["+" if b > a else "-" if b < a else "0" for a, b in pairwise(values)]
    out = []
    for band, end in enumerate(range(len(moves), BAND - 1, -BAND)):
        signs = "".join(moves[end - BAND:end])
        if signs.strip("0"):
            out.append(f"m{band}:{signs}")
    return out


def related_terms(title: str, series: Sequence[float], length: int) -> list[str]:
    return word_terms(title) + movement_terms(series, length)
