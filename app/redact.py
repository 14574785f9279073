"""Redaction of anything that looks like a secret, for logs and error messages."""

from __future__ import annotations

import re
from collections.abc import Iterable

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
