"""Trends come in from a CSV file through the Trends panel, without the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ui.panels.trends_panel import TrendsPanel

CSV = """title,volume,rank,taken_at,category
Cozy games,40,1,2026-11-10T00:00:00Z,games
Cozy games,420,1,2026-11-11T00:00:00Z,games
Stoic quotes,300,2,2026-11-11T00:00:00Z,lifestyle
"""


@pytest.fixture
def panel(qtbot: QtBot, services: Any) -> TrendsPanel:
    p = TrendsPanel(services)
    qtbot.addWidget(p)
    p.show()
    return p


def test_import_csv_button_adds_the_trends(qtbot: QtBot, panel: TrendsPanel, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "trends.csv"
    f.write_text(CSV, encoding="utf-8")
    monkeypatch.setattr(TrendsPanel, "ask_csv_path", classmethod(lambda cls, parent: str(f)))
    assert "trendforge" not in panel.empty_label.text()
    panel.import_button.click()
    qtbot.waitUntil(lambda: "Imported 3 rows: 2 new trends" in panel.sync_status.text(), timeout=10000)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)


def test_a_bad_csv_is_refused_with_its_line(qtbot: QtBot, panel: TrendsPanel, services: Any, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("title,volume\nCozy games,lots\n", encoding="utf-8")
    monkeypatch.setattr(TrendsPanel, "ask_csv_path", classmethod(lambda cls, parent: str(f)))
    panel.import_button.click()
    qtbot.waitUntil(lambda: panel.sync_status.text().startswith("⚠"), timeout=10000)
    assert "line 2" in panel.sync_status.text()
    assert services.trends.list_trends() == []
