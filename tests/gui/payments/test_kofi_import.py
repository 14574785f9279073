"""Ko-fi sales come into the ledger from the Payments panel, without the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ui.panels.payments.dialogs import KofiImportDialog
from ui.panels.payments_panel import PaymentsPanel

KOFI = """DateTime (UTC),From,Message,Item,Received,Currency,TransactionType,TransactionId
2026-11-01 12:00:00,Fan 1,thanks,,3.00,USD,Donation,tx-1
2026-11-02 12:00:00,Fan 2,great app,,5.00,USD,Donation,tx-2
"""


@pytest.fixture
def panel(qtbot: QtBot, services: Any) -> PaymentsPanel:
    p = PaymentsPanel(services)
    qtbot.addWidget(p)
    p.show()
    return p


def test_import_button_adds_the_sales_of_a_kofi_export(qtbot: QtBot, panel: PaymentsPanel, services: Any,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = tmp_path / "kofi.csv"
    export.write_text(KOFI, encoding="utf-8")
    monkeypatch.setattr(KofiImportDialog, "ask_path", classmethod(lambda cls, parent: str(export)))
    assert "trendforge" not in panel.totals.text()  # the empty ledger points at the button, not the CLI
    panel.import_button.click()
    qtbot.waitUntil(lambda: "Ko-fi: 2 new" in panel.progress_label.text(), timeout=10000)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    panel.import_button.click()  # the same file again: nothing doubled
    qtbot.waitUntil(lambda: "0 new, 2 already there" in panel.progress_label.text(), timeout=10000)
    assert services.payments.count_transactions() == 2


def test_a_file_that_is_not_a_kofi_export_is_named_and_nothing_is_added(qtbot: QtBot, panel: PaymentsPanel,
                                                                       services: Any, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n1,2\n", encoding="utf-8")
    monkeypatch.setattr(KofiImportDialog, "ask_path", classmethod(lambda cls, parent: str(bad)))
    panel.import_button.click()
    qtbot.waitUntil(lambda: "not a Ko-fi webhook file or CSV export" in panel.progress_label.text(), timeout=10000)
    assert panel.import_button.isEnabled()
    assert services.payments.count_transactions() == 0
