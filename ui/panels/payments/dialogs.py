"""Dialogs of the Payments panel, each behind a classmethod that tests replace."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.payments.model import Transaction
from app.payments.money import format_minor, to_minor
from ui.colors import Tone, tone_style
from ui.widgets.plain_text import plain_label


class RefundDialog(QDialog):
    """Confirm a refund; the amount is prefilled with everything not yet refunded."""

    def __init__(self, txn: Transaction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Refund payment")
        remaining = txn.amount - txn.refunded_amount
        self.amount = QLineEdit(format_minor(remaining, txn.currency).split()[0])
        note = QLabel(
            f"Refund up to <b>{format_minor(remaining, txn.currency)}</b> of {format_minor(txn.amount, txn.currency)} "
            f"({txn.provider.value} {txn.provider_id or txn.id}). This cannot be undone."
            + ("" if txn.provider.can_refund_remotely else
               f"<br><br>{txn.provider.value} has no refund API: TrendForge records it and tells you where to issue it.")
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(f"Amount ({txn.currency})", self.amount)
        self.error = plain_label()
        self.error.setStyleSheet(tone_style(Tone.ERROR))
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("Refund")
        self.ok_button = ok
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._txn = txn
        self._remaining = remaining
        self.amount.textChanged.connect(self._validate)
        self._validate()

    def _validate(self) -> bool:
        """Check the amount as it is typed, so a bad one is fixed here instead of failing after the dialog closed
        (and an emptied field never means 'refund everything')."""
        text = self.amount.text().strip()
        cur = self._txn.currency
        problem = ""
        if not text:
            problem = f"enter the amount to refund (at most {format_minor(self._remaining, cur)})"
        else:
            try:
                value = to_minor(text, cur)
            except UserError as exc:
                problem = str(exc)
            else:
                if value <= 0:
                    problem = "a refund amount must be positive"
                elif value > self._remaining:
                    problem = f"at most {format_minor(self._remaining, cur)} is left to refund"
        self.error.setText(problem)
        self.ok_button.setEnabled(not problem)
        return not problem

    def accept(self) -> None:
        if self._validate():
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, txn: Transaction) -> str | None:
        """The amount text to refund, or None if the user cancelled."""
        dialog = cls(txn, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.amount.text().strip()


class KofiImportDialog:
    @classmethod
    def ask_path(cls, parent: QWidget | None) -> str | None:
        """The Ko-fi CSV export to import (Ko-fi: Settings > Data > Export), or None. Replaced in tests."""
        path, _ = QFileDialog.getOpenFileName(parent, "Import Ko-fi sales", "", "CSV files (*.csv);;All files (*)")
        return path or None


class ExportDialog:
    @classmethod
    def ask_path(cls, parent: QWidget | None) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Export transactions", "payments.csv", "CSV files (*.csv)")
        return path or None
