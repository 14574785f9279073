"""What a typed search means, decided once for every FTS5 index (templates, payments, events).

The indexes use SQLite's ``unicode61`` tokenizer with ``remove_diacritics 2``: a token is a run of
letters and digits, compared case- and accent-insensitively. :func:`fts_query` turns what a person
typed into a safe MATCH expression (every word quoted, so FTS syntax in the input is inert; all
words must match; the last one as a prefix, so results appear while typing). :func:`text_matches`
answers the same question in Python for rows that are not in the database yet (live rows).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)  # unicode61: letters and digits; "_" separates
MAX_WORDS = 16


def _words(text: str) -> list[str]:
    """The typed words that hold a letter or digit (``_`` alone is no word to the index)."""
    return [w for w in _WORD_RE.findall(text or "") if _TOKEN_RE.search(w)][:MAX_WORDS]


def fts_query(text: str) -> str | None:
    """A MATCH expression for ``text``, or None when it holds no word."""
    words = _words(text)
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    return " AND ".join(terms)


def tokens(text: str) -> list[str]:
    """The tokens the index holds for ``text`` (folded like ``unicode61 remove_diacritics 2``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _TOKEN_RE.findall(plain)


def _phrase_at(hay: Sequence[str], start: int, phrase: Sequence[str], prefix_last: bool) -> bool:
    if start + len(phrase) > len(hay):
        return False
    for i, tok in enumerate(phrase):
        got = hay[start + i]
        last = i == len(phrase) - 1
        if not (got.startswith(tok) if (last and prefix_last) else got == tok):
            return False
    return True


def text_matches(search: str, *texts: str) -> bool:
    """Whether a row with these texts is found by :func:`fts_query` ``(search)`` (True for no words)."""
    words = _words(search)
    if not words:
        return True
    hay = [tok for text in texts for tok in tokens(text)]
    for n, word in enumerate(words):
        phrase = tokens(word)
        prefix = n == len(words) - 1
        if not any(_phrase_at(hay, i, phrase, prefix) for i in range(len(hay))):
            return False
    return True


def tsquery(text: str) -> str | None:
    """The same search as :func:`fts_query` for PostgreSQL's ``to_tsquery('simple', ...)``, or None.

    Every word's tokens (folded as the index folds them) must appear in order (``<->``); the last
    word's last token is a prefix (``:*``). Tokens are letters and digits only, so input syntax is inert.
    """
    phrases = [tokens(w) for w in _words(text)]
    phrases = [p for p in phrases if p]
    if not phrases:
        return None
    phrases[-1][-1] += ":*"
    return " & ".join(p[0] if len(p) == 1 else "(" + " <-> ".join(p) + ")" for p in phrases)
