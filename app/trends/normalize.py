"""Title normalization: the same topic from two syncs or two sources becomes one trend.

``normalize_title("#TaylorSwift")``, ``normalize_title("Taylor Swift")`` and
``normalize_title("taylor swift!!")`` all give the key ``"taylorswift"``: accents are
folded, camelCase hashtags are split, punctuation and a few stop words are dropped, and
the remaining words are joined without spaces so that a hashtag and its spaced spelling
meet. ``display_tokens`` keeps the words for text similarity.
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset({"the", "a", "an", "of", "and", "in", "on", "for", "to", "vs", "is", "at", "with", "by", "r"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: accents removed, compatibility forms folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(title: str) -> list[str]:
    """The meaningful words of a title, in order (stop words dropped)."""
    text = title.strip()
    # split camelCase only inside hashtags/handles and single-word titles (e.g. "#TaylorSwift")
    parts = []
    for word in text.split():
        if word.startswith(("#", "@")) or " " not in text:
            word = _CAMEL.sub(" ", word)
        parts.append(word)
    folded = fold(" ".join(parts))
    words = [w for w in _NON_WORD.split(folded) if w]
    kept = [w for w in words if w not in STOPWORDS]
    return kept or words


def normalize_title(title: str) -> str:
    """The key that identifies a trend; empty when the title has no letters or digits."""
    return "".join(tokens(title))


def clean_title(title: str) -> str:
    """A display title: whitespace collapsed, leading '#' kept as written."""
    return " ".join(title.split())[:300]
