"""Redaction of anything that looks like a secret, for logs and error messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

MASK = "[REDACTED]"

_PATTERNS = [
    re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9]{6,}"),
    re.compile(r"\bwhsec_[A-Za-z0-9]{6,}"),
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)\b(authorization|api[_-]?key|access[_-]?token|password|passwd|secret|token)"
               r"(\s*[=:]\s*)[^\s,;&\"']+"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
]
# What each pattern cannot match without (any one of), and whether that is looked for in the text
# lowered: a substring test is a fast scan, each pattern's search (a word boundary first) a slow one.
_NEEDLES: list[tuple[tuple[str, ...], bool]] = [
    (("_test_", "_live_"), False),
    (("whsec_",), False),
    (("bearer",), True),
    (("authorization", "api", "access", "password", "passwd", "secret", "token"), True),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), False),
    (("AKIA",), False),
]


def _may_match(text: str) -> bool:
    """Whether any pattern matches ``text``, its search run only where the text holds what it needs.

    Text that is not ASCII is searched with every pattern (a case-insensitive pattern matches
    letters such as the long s that lowering does not turn into the ASCII ones it needs).
    """
    lowered = text.lower() if text.isascii() else None
    for pattern, (needles, folded) in zip(_PATTERNS, _NEEDLES, strict=True):
        hay = lowered if folded else text
        if (hay is None or any(n in hay for n in needles)) and pattern.search(text):
            return True
    return False


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """Mask known secret values and anything shaped like a key or token."""
    for secret in known_secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    for pat in _PATTERNS:
        if pat.groups >= 2:
            text = pat.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        elif pat.groups == 1:
            text = pat.sub(lambda m: f"{m.group(1)} {MASK}", text)
        else:
            text = pat.sub(MASK, text)
    return text


def redact_lines(lines: Sequence[str], known_secrets: Iterable[str] = ()) -> list[str]:
    """:func:`redact` of each line, decided for the whole batch at once when none needs it.

    A build's output comes in batches of hundreds of lines that nearly never hold a secret, and six
    patterns per line were most of the GUI thread's work while a build streamed. Whatever one line
    matches, the lines joined by newlines match too (a line is a substring, and a word boundary at
    a newline is one at a line's end), so a batch whose joined text matches nothing is returned as
    it is; any other batch is redacted line by line, as before.
    """
    secrets = [s for s in known_secrets if s and len(s) >= 4]
    joined = "\n".join(lines)
    if not any(s in joined for s in secrets) and not _may_match(joined):
        return list(lines)
    return [redact(line, secrets) for line in lines]
