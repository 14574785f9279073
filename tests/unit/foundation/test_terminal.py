"""Control characters a terminal would act on are shown as escapes in human output."""

from __future__ import annotations

import pytest

from app.terminal import terminal_safe
from tests.support.hostile import TERMINAL, UNSAFE_CHARS


@pytest.mark.parametrize("text", TERMINAL)
def test_control_sequences_are_escaped(text: str) -> None:
    out = terminal_safe(text)
    assert not set(out) & UNSAFE_CHARS
    assert out != text and ("\\x" in out or "\\u" in out)


def test_escapes_are_readable() -> None:
    assert terminal_safe("\x1b]0;t\x07") == "\\x1b]0;t\\x07"
    assert terminal_safe("\u202eevil") == "\\u202eevil"


def test_newlines_and_tabs_are_kept_unless_one_line() -> None:
    assert terminal_safe("a\tb\nc") == "a\tb\nc"
    assert terminal_safe("a\nb\rc", one_line=True) == "a\\x0ab\\x0dc"


def test_ordinary_unicode_is_untouched() -> None:
    text = "Café ☕ 東京 — naïve"
    assert terminal_safe(text) == text
