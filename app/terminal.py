"""Text that is safe to print on a terminal.

A title from a feed or a package can carry ESC/CSI/OSC sequences (set the window title, clear the
screen, write the clipboard through OSC 52), BEL, or C1 controls that many terminals obey. Human
CLI output escapes them as visible ``\\x1b``-style text; ``--json`` output is not passed through here
and stays exact. Bidi overrides (RLO and friends) are escaped too: they reorder what the reader sees.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_OR_NEWLINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character a terminal would act on shown as an escape.

    Newlines are kept unless ``one_line`` (a table cell, an error line), where they are escaped too.
    """
    return (_UNSAFE_OR_NEWLINE if one_line else _UNSAFE).sub(_escape, text)
