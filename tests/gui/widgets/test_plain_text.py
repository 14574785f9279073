"""The one helper that keeps foreign text from being rendered as markup."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.support.hostile import MARKUP, rendered, shown
from ui.widgets.plain_text import escape, message_box, plain_label, tooltip


@pytest.mark.parametrize("text", MARKUP)
def test_plain_label_shows_markup_as_typed(qtbot: Any, text: str) -> None:
    label = plain_label(text)
    qtbot.addWidget(label)
    assert shown(label) == text


@pytest.mark.parametrize("text", MARKUP)
def test_escaped_text_inside_our_markup_reads_as_typed(text: str) -> None:
    assert rendered(f"<b>Title:</b> {escape(text)}", Qt.TextFormat.RichText) == f"Title: {text}"


@pytest.mark.parametrize("text", [*MARKUP, "a < b and c > d", "line one\nline two"])
def test_tooltip_reads_as_typed(text: str) -> None:
    assert rendered(tooltip(text)) == text


@pytest.mark.parametrize("text", MARKUP)
def test_message_box_text_is_plain(qtbot: Any, text: str) -> None:
    box = message_box(None, QMessageBox.Icon.Warning, "t", text)
    qtbot.addWidget(box)
    assert rendered(box.text(), box.textFormat()) == text
