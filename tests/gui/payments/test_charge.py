"""Charging through Stripe from the Payments panel: the form, its confirmation, and real charges on localstripe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.payments.charging import StripeMode
from app.payments.model import TxnStatus
from services.events.store import EventQuery
from tests.support import payments_standins as st
from ui.panels.payments.charge_dialog import ChargeDialog, ChargeOrder
from ui.panels.payments_panel import PaymentsPanel

TEMPLATES = [("quotes-daily", "Daily Quotes"), ("flash-cards", "Flash Cards")]


pytestmark = pytest.mark.usefixtures("drain_background_jobs")


@pytest.fixture
def localstripe_url() -> Iterator[str]:
    with st.localstripe() as url:
        yield url


@pytest.fixture
def stripe_services(make_services: Any, secrets: Any, localstripe_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    secrets.set("provider:stripe", st.STRIPE_KEY)
    monkeypatch.setenv("TRENDFORGE_STRIPE_BASE_URL", localstripe_url)
    return make_services()


def _panel(qtbot: QtBot, services: Any) -> PaymentsPanel:
    panel = PaymentsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel.loading, timeout=5000)
    return panel


def _dialog(qtbot: QtBot, mode: StripeMode = StripeMode.TEST, template_id: str | None = None) -> ChargeDialog:
    dialog = ChargeDialog(TEMPLATES, mode, template_id)
    qtbot.addWidget(dialog)
    return dialog


def _answer_with(monkeypatch: pytest.MonkeyPatch, amount: str, currency: str, card_index: int,
                 seen: list[ChargeDialog]) -> None:
    """ChargeDialog.ask fills the real dialog, reviews it and presses Charge (instead of a modal exec)."""
    def ask(cls: type[ChargeDialog], parent: Any, templates: list[tuple[str, str]], mode: StripeMode,
            template_id: str | None = None) -> ChargeOrder | None:
        dialog = cls(templates, mode, template_id, parent)
        seen.append(dialog)
        dialog.template_box.setCurrentIndex(dialog.template_box.findData("quotes-daily"))
        dialog.amount_edit.setText(amount)
        dialog.currency_box.setEditText(currency)
        dialog.method_box.setCurrentIndex(card_index)
        dialog.review_button.click()
        assert dialog.confirming
        dialog.charge_button.click()
        return dialog.order if dialog.result() == ChargeDialog.DialogCode.Accepted else None

    monkeypatch.setattr(ChargeDialog, "ask", classmethod(ask))


def test_confirmation_says_exactly_what_will_be_charged(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.template_box.setCurrentIndex(dialog.template_box.findData("flash-cards"))
    dialog.amount_edit.setText("9.99")
    dialog.currency_box.setEditText("eur")
    dialog.review_button.click()
    assert dialog.confirming
    text = dialog.summary.text()
    assert "Charge 9.99 EUR through Stripe (test mode" in text
    assert "pm_card_visa" in text and "Flash Cards (flash-cards)" in text
    assert dialog.charge_button.text() == "&Charge 9.99 EUR"
    assert dialog.order == ChargeOrder("flash-cards", "Flash Cards", 999, "EUR", "pm_card_visa", "")
    assert dialog.result() != ChargeDialog.DialogCode.Accepted  # nothing is charged before Charge is pressed


def test_errors_appear_only_after_a_field_is_touched(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.error.text() == ""
    dialog.amount_edit.setText("9.999")
    assert "more decimals than USD allows" in dialog.error.text()
    dialog.amount_edit.setText("1000")
    assert dialog.error.text() == ""


def test_a_currency_that_is_not_iso_4217_keeps_the_form_open(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.amount_edit.setText("5")
    dialog.currency_box.setEditText("XYZ")
    dialog.review_button.click()
    assert not dialog.confirming
    assert "not an ISO 4217 currency code: 'XYZ'" in dialog.error.text()


def test_a_live_key_needs_a_saved_payment_method(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, StripeMode.LIVE)
    assert [dialog.method_box.itemText(i) for i in range(dialog.method_box.count())] == [
        "A saved payment method (pm_…)"]  # no test cards on a live key
    dialog.amount_edit.setText("5")
    dialog.method_edit.setText("card 4242")
    dialog.review_button.click()
    assert not dialog.confirming and "starts with pm_" in dialog.error.text()
    dialog.method_edit.setText("pm_1Abc")
    dialog.review_button.click()
    assert dialog.confirming and "LIVE: a real card is charged" in dialog.summary.text()
    assert "saved payment method pm_1Abc" in dialog.summary.text()


def test_enter_reviews_then_charges_and_escape_cancels(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.amount_edit, timeout=5000)  # focus starts there
    QTest.keyClicks(dialog.amount_edit, "4.50")
    QTest.keyClick(dialog.amount_edit, Qt.Key.Key_Return)
    assert dialog.confirming
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.charge_button, timeout=5000)
    QTest.keyClick(dialog.charge_button, Qt.Key.Key_Return)
    assert dialog.result() == ChargeDialog.DialogCode.Accepted and dialog.order is not None
    assert dialog.order.amount == 450

    other = _dialog(qtbot)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=5000)
    QTest.keyClick(other.amount_edit, Qt.Key.Key_Escape)
    assert other.result() == ChargeDialog.DialogCode.Rejected and other.order is None


def test_a_charge_on_localstripe_shows_in_the_table_and_events(qtbot: QtBot, stripe_services: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    stripe_services.home.import_samples()
    panel = _panel(qtbot, stripe_services)
    seen: list[ChargeDialog] = []
    _answer_with(monkeypatch, "9.99", "USD", 0, seen)
    with qtbot.waitSignal(panel.charge_finished, timeout=20000) as blocker:
        panel.charge_button.click()
    txn = blocker.args[0]
    assert txn.status is TxnStatus.SUCCEEDED and (txn.amount, txn.currency) == (999, "USD")
    assert txn.template_id == "quotes-daily" and txn.provider_id.startswith("pi_")
    selected = panel.selected()
    assert selected is not None and selected.id == txn.id  # the new row is shown, selected
    assert "charged 9.99 USD: succeeded" in panel.progress_label.text()
    charged = [s.event for s in stripe_services.bus.history(EventQuery(types=["payment.charged"]))]
    assert [(e.transaction_id, e.amount, e.template_id) for e in charged] == [(txn.id, 999, "quotes-daily")]


def test_a_declined_card_is_shown_in_words_and_its_row_selected(qtbot: QtBot, stripe_services: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    panel = _panel(qtbot, stripe_services)
    _answer_with(monkeypatch, "5.00", "USD", 1, [])  # the test card that is declined when charged
    with qtbot.waitSignal(panel.charge_finished, timeout=20000) as blocker:
        panel.charge_button.click()
    assert "declined" in str(blocker.args[0])
    assert "not charged:" in panel.progress_label.text() and "declined" in panel.progress_label.text()
    selected = panel.selected()
    assert selected is not None and selected.status is TxnStatus.DECLINED and selected.amount == 500
    assert [s.event.type for s in stripe_services.bus.history(EventQuery(types=["payment.declined"]))] == [
        "payment.declined"]


def test_without_a_stripe_key_the_panel_says_where_to_add_one(qtbot: QtBot, services: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[ChargeDialog] = []
    _answer_with(monkeypatch, "1", "USD", 0, asked)
    panel = _panel(qtbot, services)
    with qtbot.waitSignal(panel.charge_finished, timeout=5000):
        panel.charge_button.click()
    assert not asked
    assert "add one in Settings, on the Credentials tab" in panel.progress_label.text()


def test_a_charge_by_keyboard_only_from_the_panel(qtbot: QtBot, stripe_services: Any) -> None:
    """Alt+C opens Charge… (the real modal dialog); Alt+T and Alt+A reach the fields, Enter reviews, Enter charges."""
    stripe_services.home.import_samples()
    panel = _panel(qtbot, stripe_services)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=5000)
    panel.table.setFocus()
    chosen: list[str] = []
    errors: list[BaseException] = []

    def drive() -> None:  # runs inside the dialog's exec(); a failure closes the dialog, so exec() returns
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ChargeDialog):
            QTimer.singleShot(20, drive)  # the dialog is not up yet
            return
        try:
            fill(dialog)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
            dialog.reject()

    def fill(dialog: ChargeDialog) -> None:
        qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
        QTest.keyClick(dialog.amount_edit, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # focus starts there
        assert QApplication.focusWidget() is dialog.template_box
        QTest.keyClick(dialog.template_box, Qt.Key.Key_Down)  # the first template after "No template"
        chosen.append(dialog.template_box.currentData())
        QTest.keyClick(dialog.template_box, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is dialog.amount_edit
        QTest.keyClicks(dialog.amount_edit, "7.25")
        QTest.keyClick(dialog.amount_edit, Qt.Key.Key_Return)  # reviews (the currency stays USD)
        assert dialog.confirming
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.charge_button, timeout=5000)
        QTest.keyClick(dialog.charge_button, Qt.Key.Key_Return)

    QTimer.singleShot(0, drive)
    with qtbot.waitSignal(panel.charge_finished, timeout=30000) as blocker:
        QTest.keyClick(panel.table, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert not errors, errors
    txn = blocker.args[0]
    assert txn.status is TxnStatus.SUCCEEDED and (txn.amount, txn.currency) == (725, "USD")
    assert chosen and chosen[0] is not None and txn.template_id == chosen[0]
    selected = panel.selected()
    assert selected is not None and selected.id == txn.id
