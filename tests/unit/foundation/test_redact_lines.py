"""Redacting a batch of log lines: the same text as redacting each line, decided at once for a
batch that holds nothing to mask (a build streams hundreds of such lines per batch)."""

from __future__ import annotations

import pytest

import app.redact as redact_module
from app.redact import MASK, redact, redact_lines

KEY = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
LINES = [
    "> Task :app:compileReleaseKotlin",
    "\tat org.gradle.internal.Worker.run(Worker.java:12) noise line 12 of the flood",
    f"curl -H 'Authorization: Bearer {KEY}'",
    "password = hunter2hunter2",
    "token",  # a word at a line's end, the next line not its value
    ": not a token value",
    "uses the keystore secret-of-the-day",
    "AKIAABCDEFGHIJKLMNOP in the environment",
    "BUILD SUCCESSFUL in 1s",
]


@pytest.mark.parametrize("known", [(), ("hunter2hunter2",), ("secret-of-the-day", "abcd")])
def test_a_batch_is_redacted_as_each_of_its_lines_is(known: tuple[str, ...]) -> None:
    assert redact_lines(LINES, known) == [redact(line, known) for line in LINES]


def test_a_secret_in_one_line_is_masked_there_only() -> None:
    out = redact_lines(["plain one", f"key {KEY} here", "plain two"])
    assert out == ["plain one", f"key {MASK} here", "plain two"]


def test_a_batch_with_nothing_to_mask_is_not_redacted_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    per_line: list[str] = []
    monkeypatch.setattr(redact_module, "redact", lambda text, known=(): per_line.append(text) or text)
    clean = [f"\tat org.gradle.internal.Worker.run(Worker.java:{i}) noise line {i}" for i in range(500)]
    assert redact_lines(clean, ["hunter2hunter2"]) == clean
    assert per_line == []


def test_a_key_word_written_with_a_letter_that_only_matches_case_insensitively_is_still_masked() -> None:
    """Lowering does not turn the long s into an s, but the pattern matches it: such text is searched."""
    line = "the \u017fecret=abcdef123456 was printed"
    assert redact_lines(["clean", line]) == ["clean", redact(line)]
    assert MASK in redact(line)
