"""Payments panel writes run off the GUI thread (like its reads) and announce what they changed."""

from __future__ import annotations

from typing import Any

import pytest

from app.payments.model import TxnStatus
from app.remedies import SetCredential
from tests.support.gui_writes import assert_wrote_in_the_background, click_while_locked
from ui.operations import ChangeArea, operation_hub
from ui.panels.payments.dialogs import RefundDialog
from ui.panels.payments_panel import PaymentsPanel


@pytest.fixture
def panel(qtbot: Any, filled: Any) -> PaymentsPanel:
    widget = PaymentsPanel(filled)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    qtbot.waitUntil(lambda: not widget.loading, timeout=5000)
    return widget


def _select(panel: PaymentsPanel, provider_id: str) -> str:
    row = next(i for i, t in enumerate(panel.model.rows()) if t.provider_id == provider_id)
    panel.select_row(row)
    return panel.model.rows()[row].id


def _refund_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RefundDialog, "ask", classmethod(lambda cls, parent, txn: "2.00"))


def test_a_refund_returns_at_once_and_the_gui_thread_never_stalls_while_its_write_waits(
    qtbot: Any, panel: PaymentsPanel, filled: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _select(panel, "kofi-11")  # a Ko-fi sale: refunded in the ledger, no provider call
    _refund_two(monkeypatch)
    timing = click_while_locked(qtbot, filled.config.db_path, panel, panel.refund_button.click)
    assert_wrote_in_the_background(timing)


def test_a_refund_announces_its_transaction_and_the_panel_that_asked(
    qtbot: Any, panel: PaymentsPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    txn_id = _select(panel, "kofi-11")
    _refund_two(monkeypatch)
    with qtbot.waitSignal(operation_hub().did_execute, timeout=10_000) as announced:
        panel.refund_button.click()
    changes = announced.args[0]
    assert (changes.area, changes.ids, changes.initiator) == (ChangeArea.PAYMENTS, (txn_id,), panel)


def test_a_refund_updates_its_row_without_resetting_the_table(
    qtbot: Any, panel: PaymentsPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    txn_id = _select(panel, "kofi-11")
    _refund_two(monkeypatch)
    seen: list[str] = []
    panel.model.modelReset.connect(lambda: seen.append("reset"))
    panel.model.rowsInserted.connect(lambda *_: seen.append("inserted"))
    panel.model.rowsRemoved.connect(lambda *_: seen.append("removed"))
    panel.model.dataChanged.connect(lambda top, *_: seen.append(f"changed {top.row()}"))
    with qtbot.waitSignal(panel.refund_finished, timeout=10_000):
        panel.refund_button.click()
    row = panel.model.row_of(txn_id)
    t = panel.model.rows()[row]
    assert (t.refunded_amount, t.status) == (200, TxnStatus.PARTIALLY_REFUNDED)
    assert seen == [f"changed {row}"]  # that row alone, and no reset
    assert panel.selected() is not None and panel.selected().id == txn_id  # type: ignore[union-attr]


def test_a_refused_retry_reaches_the_user_with_its_remedy_and_announces_nothing(
    qtbot: Any, panel: PaymentsPanel
) -> None:
    _select(panel, "pi_declined")  # retrying a declined Stripe charge needs a Stripe key: none is stored
    qtbot.waitUntil(panel.retry_button.isEnabled, timeout=5000)
    announced: list[object] = []
    operation_hub().did_execute.connect(announced.append)
    with qtbot.waitSignal(panel.remedy_offered, timeout=10_000) as offered:
        panel.retry_button.click()
    assert isinstance(offered.args[0], SetCredential)  # the GUI turns it into the Settings button
    assert "stripe" in panel.totals.text().lower()
    assert announced == []
    operation_hub().did_execute.disconnect(announced.append)
