"""Titles from feeds and packages in the Home lists are shown as text, tooltips included."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.hostile import MARKUP, rendered
from ui.panels.home_panel import ItemList


@pytest.mark.parametrize("text", MARKUP)
def test_item_list_rows_and_tooltips_read_as_typed(qtbot: Any, text: str) -> None:
    items = ItemList("list", "(none)")
    qtbot.addWidget(items)
    items.show_rows([(f"T {text}", None)])
    row = items.item(0)
    assert row.text() == f"T {text}" and rendered(row.toolTip()) == f"T {text}"
