"""Markup in a trend title (from a feed or a CSV) is shown as the text it is."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from services.bootstrap import Services
from tests.support.hostile import MARKUP, shown
from ui.panels.trends_panel import MakeTemplateDialog, TrendsPanel


def seed(services: Services, tmp_path: Path, title: str) -> None:
    with (tmp_path / "t.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "volume", "rank", "taken_at", "category"])
        for i in range(3):
            w.writerow([title, 100 + 50 * i, 1, f"2026-11-{10 + i:02d}T00:00:00Z", "music"])
    services.trends.import_csv("csv", tmp_path / "t.csv")


@pytest.mark.parametrize("text", MARKUP)
def test_trend_detail_shows_markup_as_text(qtbot: Any, services: Services, tmp_path: Path, text: str) -> None:
    seed(services, tmp_path, f"T {text}")
    p = TrendsPanel(services)
    qtbot.addWidget(p)
    qtbot.waitUntil(lambda: p.model.rowCount() == 1)
    with qtbot.waitSignal(p.detail_loaded, timeout=5000):
        p.table.selectRow(0)
    assert shown(p.detail_title).startswith(f"T {text}  [")


@pytest.mark.parametrize("text", MARKUP)
def test_make_template_dialog_shows_markup_as_text(qtbot: Any, text: str) -> None:
    dlg = MakeTemplateDialog(f"T {text}", [])
    qtbot.addWidget(dlg)
    intro = dlg.findChildren(QLabel)[0]
    assert shown(intro) == f"Start the trend-to-release workflow for “T {text}”."
