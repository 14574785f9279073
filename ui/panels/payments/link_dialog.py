"""Tie a provider's product (a Gumroad product, an itch.io game, a Stripe product) to a template, so its sales
count for that template: the ones already recorded and every later sync."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from app.payments.model import Provider
from ui.colors import Tone, tone_style
from ui.widgets.plain_text import plain_label


@dataclass(frozen=True)
class ProductLink:
    provider: Provider
    product_id: str
    template_id: str


class LinkProductDialog(QDialog):
    """``products`` are the payments service's product rows; ``templates`` (id, title) pairs."""

    def __init__(self, products: list[dict[str, Any]], templates: list[tuple[str, str]],
                 provider: Provider | None = None, product_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Link a product to a template")
        self.setMinimumWidth(480)
        self._products = products
        self.provider_box = QComboBox()
        self.provider_box.setAccessibleName("Provider")
        for p in Provider:
            self.provider_box.addItem(p.value, p.value)
        self.product_box = QComboBox()
        self.product_box.setEditable(True)
        self.product_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.product_box.setAccessibleName("Product id")
        line = self.product_box.lineEdit()
        assert line is not None
        line.setPlaceholderText("the provider's product id")
        self.template_box = QComboBox()
        self.template_box.setAccessibleName("Template")
        self.template_box.addItem("Choose a template", None)
        for tid, title in templates:
            self.template_box.addItem(f"{title} ({tid})", tid)
        note = plain_label("Sales of this product already in the ledger without a template (or with the one it was "
                           "linked to before) move to the template chosen here, and so do later ones.")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Provider", self.provider_box)
        form.addRow("P&roduct", self.product_box)
        form.addRow("&Template", self.template_box)
        self.error = plain_label()
        self.error.setStyleSheet(tone_style(Tone.ERROR))
        self.error.setWordWrap(True)
        self.error.setMinimumHeight(self.error.fontMetrics().lineSpacing() * 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("&Link")
        self.link_button = ok
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.provider_box.currentIndexChanged.connect(self._fill_products)
        self.product_box.currentTextChanged.connect(self._on_product_changed)
        self.template_box.currentIndexChanged.connect(self._update)
        if provider is not None:
            self.provider_box.setCurrentIndex(self.provider_box.findData(provider.value))
        self._fill_products()
        if product_id:
            self.product_box.setEditText(product_id)
        self._on_product_changed()
        self.product_box.setFocus()

    def _provider(self) -> Provider:
        return Provider.parse(str(self.provider_box.currentData()))

    def _fill_products(self, *_args: object) -> None:
        p = self._provider().value
        self.product_box.blockSignals(True)
        self.product_box.clear()
        for row in self._products:
            if row["provider"] == p:
                linked = f" → {row['template_id']}" if row["template_id"] else ""
                self.product_box.addItem(f"{row['name'] or row['product_id']}{linked}", row["product_id"])
        self.product_box.setCurrentIndex(-1)
        self.product_box.setEditText("")
        self.product_box.blockSignals(False)
        self._update()

    def product_id(self) -> str:
        """The chosen product's id (an item from the list), or the id typed in."""
        text = self.product_box.currentText().strip()
        index = self.product_box.findText(text)
        if index >= 0:
            return str(self.product_box.itemData(index))
        return text

    def _on_product_changed(self, *_args: object) -> None:
        pid = self.product_id()
        current = next((r["template_id"] for r in self._products
                        if r["provider"] == self._provider().value and r["product_id"] == pid), None)
        if current and self.template_box.currentData() is None:
            self.template_box.setCurrentIndex(max(0, self.template_box.findData(current)))
        self._update()

    def _update(self, *_args: object) -> None:
        ready = bool(self.product_id()) and self.template_box.currentData() is not None
        self.link_button.setEnabled(ready)
        if ready or not self.product_box.currentText():
            self.error.setText("")

    def link(self) -> ProductLink | None:
        pid, tid = self.product_id(), self.template_box.currentData()
        if not pid:
            self.error.setText("enter the provider's product id (Gumroad: the product's id; itch.io: the game id)")
            return None
        if tid is None:
            self.error.setText("choose the template this product's sales count for")
            return None
        return ProductLink(self._provider(), pid, str(tid))

    def accept(self) -> None:
        if self.link() is not None:
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, products: list[dict[str, Any]], templates: list[tuple[str, str]],
            provider: Provider | None = None, product_id: str | None = None) -> ProductLink | None:
        """The link to make, or None if the user cancelled. Tests replace this."""
        dialog = cls(products, templates, provider, product_id, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.link()
