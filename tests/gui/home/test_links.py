"""Links between areas: a payment opens its template, selected."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from ui.app_runner import create_window


def test_a_payment_opens_its_template(qtbot: QtBot, busy: Any) -> None:
    busy.home.import_samples()
    window = create_window(busy)
    qtbot.addWidget(window)
    window.show()
    payments = window.show_panel("Payments")
    qtbot.waitUntil(lambda: payments.model.rowCount() > 0, timeout=5000)  # the ledger is read off the GUI thread
    txn = next(t for t in payments.model.rows() if t.template_id == "quotes-daily")
    payments.select_item(txn.id)
    assert payments.template_button.isEnabled()
    payments.template_button.click()
    assert window.current_title() == "Templates"
    templates = window.panels["Templates"]
    qtbot.waitUntil(lambda: templates.current is not None and templates.current.id == "quotes-daily", timeout=5000)
