"""Charge through Stripe: a form (template, amount, ISO 4217 currency, payment method), then a confirmation
page that says exactly what will be charged. Nothing is charged before Charge is pressed on that page."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.currency import iso_codes
from app.errors import UserError
from app.payments.charging import TEST_CARDS, StripeMode, card_label
from app.payments.money import format_minor, normalize_currency, to_minor
from ui.colors import Tone, tone_style
from ui.widgets.plain_text import plain_label

SAVED_METHOD = ""  # the payment-method box's item for a saved payment method typed in the field below it
COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY")


@dataclass(frozen=True)
class ChargeOrder:
    """What the user confirmed: the panel hands exactly this to the payments service."""

    template_id: str | None
    template_title: str
    amount: int  # minor units of currency
    currency: str
    payment_method: str
    description: str

    @property
    def amount_text(self) -> str:
        return format_minor(self.amount, self.currency)

    def confirmation(self, mode: StripeMode) -> str:
        """The confirmation page's text: amount, where the money comes from, what it is for."""
        card = card_label(self.payment_method)
        source = f"{card} ({self.payment_method})" if card else f"saved payment method {self.payment_method}"
        lines = [f"Charge {self.amount_text} through Stripe ({'test mode: no real money moves' if mode is StripeMode.TEST else 'LIVE: a real card is charged'})."]
        lines.append(f"Paid with: {source}.")
        lines.append(f"For template: {self.template_title} ({self.template_id})." if self.template_id
                     else "For no template.")
        if self.description:
            lines.append(f"Description: {self.description}")
        lines.append("The result is added to the ledger and to Events.")
        return "\n".join(lines)


class ChargeDialog(QDialog):
    """``templates`` are (id, title) pairs; ``mode`` is the stored Stripe key's mode."""

    def __init__(self, templates: list[tuple[str, str]], mode: StripeMode, template_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Charge through Stripe")
        self.setMinimumWidth(520)
        self.mode = mode
        self._touched: set[QWidget] = set()
        self._titles = dict(templates)

        self.template_box = QComboBox()
        self.template_box.setAccessibleName("Template")
        self.template_box.addItem("No template", None)
        for tid, title in templates:
            self.template_box.addItem(f"{title} ({tid})", tid)
        if template_id is not None and (i := self.template_box.findData(template_id)) >= 0:
            self.template_box.setCurrentIndex(i)
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("e.g. 9.99")
        self.amount_edit.setAccessibleName("Amount")
        self.currency_box = QComboBox()
        self.currency_box.setEditable(True)
        self.currency_box.setAccessibleName("Currency (ISO 4217)")
        codes = list(COMMON_CURRENCIES) + [c for c in iso_codes() if c not in COMMON_CURRENCIES]
        self.currency_box.addItems(codes)
        self.currency_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(codes, self.currency_box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.currency_box.setCompleter(completer)
        self.method_box = QComboBox()
        self.method_box.setAccessibleName("Payment method")
        if mode is StripeMode.TEST:
            for card in TEST_CARDS:
                self.method_box.addItem(card.label, card.payment_method)
        self.method_box.addItem("A saved payment method (pm_…)", SAVED_METHOD)
        self.method_edit = QLineEdit()
        self.method_edit.setPlaceholderText("pm_… (a saved payment method id)")
        self.method_edit.setAccessibleName("Saved payment method id")
        self.description_edit = QLineEdit()
        self.description_edit.setPlaceholderText("optional, shown in Stripe and the ledger")
        self.description_edit.setAccessibleName("Description")

        form = QFormLayout()
        form.addRow("&Template", self.template_box)
        form.addRow("&Amount", self.amount_edit)
        form.addRow("C&urrency", self.currency_box)
        form.addRow("&Paid with", self.method_box)
        form.addRow("Payment &method id", self.method_edit)
        form.addRow("&Description", self.description_edit)
        self.error = plain_label()
        self.error.setObjectName("chargeError")
        self.error.setStyleSheet(tone_style(Tone.ERROR))
        self.error.setWordWrap(True)
        self.error.setMinimumHeight(self.error.fontMetrics().lineSpacing() * 2)  # no jump when an error appears
        mode_note = plain_label("Test mode: Stripe's test cards, no real money moves." if mode is StripeMode.TEST
                                else "Live mode: a real payment method is charged.")
        self.review_button = QPushButton("&Review charge…")
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        form_buttons = QHBoxLayout()
        form_buttons.addStretch(1)
        form_buttons.addWidget(self.review_button)
        form_buttons.addWidget(cancel)
        form_page = QWidget()
        fl = QVBoxLayout(form_page)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(mode_note)
        fl.addLayout(form)
        fl.addWidget(self.error)
        fl.addLayout(form_buttons)

        self.summary = plain_label()
        self.summary.setObjectName("chargeSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.charge_button = QPushButton("Charge")
        self.back_button = QPushButton("&Back")
        cancel2 = QPushButton("Cancel")
        cancel2.clicked.connect(self.reject)
        confirm_buttons = QHBoxLayout()
        confirm_buttons.addWidget(self.back_button)
        confirm_buttons.addStretch(1)
        confirm_buttons.addWidget(self.charge_button)
        confirm_buttons.addWidget(cancel2)
        confirm_page = QWidget()
        cl = QVBoxLayout(confirm_page)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(plain_label("Please check before charging:"))
        cl.addWidget(self.summary, 1)
        cl.addLayout(confirm_buttons)

        self.pages = QStackedWidget()
        self.pages.addWidget(form_page)
        self.pages.addWidget(confirm_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self.order: ChargeOrder | None = None
        self.review_button.clicked.connect(self.review)
        self.back_button.clicked.connect(self.back)
        self.charge_button.clicked.connect(self.accept)
        self.method_box.currentIndexChanged.connect(self._on_method_box_changed)
        for edit in (self.amount_edit, self.method_edit):
            edit.textChanged.connect(lambda _t, w=edit: self._touch(w))
        self.currency_box.currentTextChanged.connect(lambda _t: self._touch(self.currency_box))
        self._on_method_box_changed()
        self._show_page(0)
        self.amount_edit.setFocus()

    # -- form ------------------------------------------------------------------------------------------
    def _on_method_box_changed(self, *_args: object) -> None:
        saved = self.method_box.currentData() == SAVED_METHOD
        self.method_edit.setEnabled(saved)
        self._touch(None)

    def _touch(self, widget: QWidget | None) -> None:
        if widget is not None:
            self._touched.add(widget)
        problem = self._problem(self._touched)
        self.error.setText(problem or "")

    def _payment_method(self) -> str:
        data = self.method_box.currentData()
        return self.method_edit.text().strip() if data == SAVED_METHOD else str(data)

    def _problem(self, touched: set[QWidget] | None) -> str | None:
        """What is wrong with the form (only fields in ``touched``; all when None), in words."""
        def shown(w: QWidget) -> bool:
            return touched is None or w in touched

        try:
            currency = normalize_currency(self.currency_box.currentText())
        except UserError as exc:
            return str(exc) if shown(self.currency_box) else None
        text = self.amount_edit.text().strip()
        if shown(self.amount_edit):
            if not text:
                return "enter the amount to charge, e.g. 9.99"
            try:
                amount = to_minor(text, currency)
            except UserError as exc:
                return str(exc)
            if amount <= 0:
                return "the amount must be positive"
        if self.method_box.currentData() == SAVED_METHOD and shown(self.method_edit):
            pm = self.method_edit.text().strip()
            if not pm.startswith("pm_") or len(pm) < 4 or any(c.isspace() for c in pm):
                return "a saved payment method id starts with pm_ (copy it from the Stripe dashboard)"
        return None

    def review(self) -> None:
        """Check every field; on success show the confirmation page."""
        problem = self._problem(None)
        if problem:
            self.error.setText(problem)
            return
        currency = normalize_currency(self.currency_box.currentText())
        tid = self.template_box.currentData()
        self.order = ChargeOrder(
            template_id=tid, template_title=self._titles.get(tid, "") if tid else "",
            amount=to_minor(self.amount_edit.text().strip(), currency), currency=currency,
            payment_method=self._payment_method(), description=self.description_edit.text().strip())
        self.summary.setText(self.order.confirmation(self.mode))
        self.charge_button.setText(f"&Charge {self.order.amount_text}")
        self._show_page(1)

    def back(self) -> None:
        self._show_page(0)

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        confirming = index == 1
        self.charge_button.setDefault(confirming)
        self.review_button.setDefault(not confirming)
        (self.charge_button if confirming else self.amount_edit).setFocus()

    @property
    def confirming(self) -> bool:
        return self.pages.currentIndex() == 1

    def accept(self) -> None:
        if self.confirming and self.order is not None:  # only the confirmation page's Charge charges
            super().accept()
        else:
            self.review()

    @classmethod
    def ask(cls, parent: QWidget | None, templates: list[tuple[str, str]], mode: StripeMode,
            template_id: str | None = None) -> ChargeOrder | None:
        """The confirmed order, or None if the user cancelled. Tests replace this."""
        dialog = cls(templates, mode, template_id, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.order
