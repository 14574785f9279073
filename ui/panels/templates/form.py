"""Create/edit form for a template's manifest, with inline validation per field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.store.policy import DEFAULT_MIN_SDK, DEFAULT_TARGET_SDK, MAX_SDK
from app.templates.model import TemplateInfo
from app.templates.rules import APP_ID_RE, SEMVER_RE, SLUG_RE, currency_exponent, parse_price
from ui.colors import Tone, tone_style
from ui.operations import ChangeArea, run_write
from ui.widgets.plain_text import plain_label

_TAG_RE = SLUG_RE.pattern.replace("{1,62}", "{0,29}")
_CATEGORY_RE = SLUG_RE.pattern.replace("{1,62}", "{0,39}")
def error_style() -> str:
    return f"{tone_style(Tone.ERROR)} font-size: 11px;"


class TemplateForm(QDialog):
    """Edits a manifest. ``save`` is called with the manifest dict on OK; a ``UserError``
    it raises is shown in the form, which stays open."""

    validity_changed = Signal(bool)
    saved_or_refused = Signal()  # the background save refused (an accepted save emits accepted/finished)

    def __init__(
        self,
        save: Callable[[dict[str, Any]], TemplateInfo],
        *,
        initial: TemplateInfo | None = None,
        categories: list[str] | None = None,
        bases: list[tuple[str, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit template" if initial else "New template")
        self.setMinimumWidth(520)
        self._save = save  # called on a worker thread: it must not touch widgets
        self.chosen_base: str | None = None
        self._editing = initial is not None
        self.result_value: TemplateInfo | None = None

        self.id_edit = QLineEdit(placeholderText="e.g. quotes-daily")
        self.title_edit = QLineEdit(placeholderText="Shown in lists and stores")
        self.category_box = QComboBox()
        self.category_box.setEditable(True)
        self.category_box.addItems(categories or [])
        self.category_box.setEditText("")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setFixedHeight(60)
        self.description_edit.setTabChangesFocus(True)  # Tab goes to the next field, not into the text
        self.tags_edit = QLineEdit(placeholderText="comma-separated, e.g. quotes, daily")
        self.version_edit = QLineEdit("1.0.0")
        self.app_name_edit = QLineEdit()
        self.app_id_edit = QLineEdit(placeholderText="com.example.app")
        self.min_sdk = QSpinBox(minimum=21, maximum=MAX_SDK, value=DEFAULT_MIN_SDK)
        self.target_sdk = QSpinBox(minimum=21, maximum=MAX_SDK, value=DEFAULT_TARGET_SDK)
        self.price_edit = QLineEdit("0.00")
        self.currency_edit = QLineEdit("USD")
        self.currency_edit.setMaxLength(3)
        self.content_edit = QPlainTextEdit("{}")
        self.content_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.content_edit.setFixedHeight(110)
        self.content_edit.setTabChangesFocus(True)
        self._touched: set[str] = set()
        self._submitted = False

        # a new template starts from a base package (its web UI, icon, content), so it can be built
        self.base_box = QComboBox()
        self.base_box.addItem("Blank app (TrendForge runtime)", "")
        for base_id, base_title in bases or []:
            self.base_box.addItem(f"{base_title} ({base_id})", base_id)

        self.errors: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}
        form = QFormLayout()
        if initial is None:
            form.addRow("Start from", self.base_box)
        fields: list[tuple[str, str, QWidget]] = [
            ("id", "Id", self.id_edit),
            ("title", "Title", self.title_edit),
            ("category", "Category", self.category_box),
            ("description", "Description", self.description_edit),
            ("tags", "Tags", self.tags_edit),
            ("version", "Version", self.version_edit),
            ("app_name", "App name", self.app_name_edit),
            ("application_id", "Application id", self.app_id_edit),
            ("min_sdk", "Min SDK", self.min_sdk),
            ("target_sdk", "Target SDK", self.target_sdk),
            ("price", "Price", self.price_edit),
            ("currency", "Currency", self.currency_edit),
            ("content", "Content (JSON)", self.content_edit),
        ]
        for key, label, widget in fields:
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(1)
            lay.addWidget(widget)
            err = plain_label()
            err.setStyleSheet(error_style())
            err.setObjectName(f"error_{key}")
            err.setMinimumHeight(err.fontMetrics().height())  # the room is kept: rows never jump
            lay.addWidget(err)
            self.errors[key] = err
            self._fields[key] = widget
            widget.setAccessibleName(label)
            form.addRow(label, box)

        self.general_error = plain_label()
        self.general_error.setStyleSheet(error_style())
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        if initial is not None:
            self._fill(initial)
        lines = {"id": self.id_edit, "title": self.title_edit, "tags": self.tags_edit, "version": self.version_edit,
                 "app_name": self.app_name_edit, "application_id": self.app_id_edit, "price": self.price_edit,
                 "currency": self.currency_edit}
        for key, line in lines.items():
            line.textEdited.connect(lambda _t, k=key: self.touch(k))
            line.textChanged.connect(self.validate)
        self.category_box.editTextChanged.connect(lambda _t: self.touch("category"))
        self.description_edit.textChanged.connect(lambda: self.touch("description"))
        self.content_edit.textChanged.connect(lambda: self.touch("content"))
        self.min_sdk.valueChanged.connect(lambda _v: self.touch("min_sdk"))
        self.target_sdk.valueChanged.connect(lambda _v: self.touch("target_sdk"))
        self.title_edit.textChanged.connect(self._suggest)
        self.validate()

    def _fill(self, t: TemplateInfo) -> None:
        self.id_edit.setText(t.id)
        self.id_edit.setReadOnly(True)
        self.title_edit.setText(t.title)
        self.category_box.setEditText(t.category)
        self.description_edit.setPlainText(t.description)
        self.tags_edit.setText(", ".join(t.tags))
        self.version_edit.setText(t.version)
        self.app_name_edit.setText(t.app_name)
        self.app_id_edit.setText(t.application_id)
        self.min_sdk.setValue(t.min_sdk)
        self.target_sdk.setValue(t.target_sdk)
        exp = currency_exponent(t.price_currency)
        self.price_edit.setText(str(t.price_amount) if exp == 0 else f"{t.price_amount // 100}.{t.price_amount % 100:02d}")
        self.currency_edit.setText(t.price_currency)
        self.content_edit.setPlainText(json.dumps(t.content, indent=2, ensure_ascii=False))

    def _suggest(self, title: str) -> None:
        """New templates: derive id and app name from the title until the user types them."""
        if self._editing:
            return
        slug = "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())[:63]
        if not self.id_edit.isModified():
            self.id_edit.setText(slug)
        if not self.app_name_edit.isModified():
            self.app_name_edit.setText(title[:50])

    # -- validation ------------------------------------------------------------------------
    def field_errors(self) -> dict[str, str]:
        import re

        errs: dict[str, str] = {}
        if not SLUG_RE.match(self.id_edit.text()):
            errs["id"] = "2-63 lowercase letters, digits or '-', starting with a letter or digit"
        title = self.title_edit.text().strip()
        if not title:
            errs["title"] = "a title is required"
        elif len(title) > 120:
            errs["title"] = "at most 120 characters"
        if not re.match(_CATEGORY_RE, self.category_box.currentText().strip()):
            errs["category"] = "one lowercase word like 'games' (letters, digits, '-')"
        if len(self.description_edit.toPlainText()) > 4000:
            errs["description"] = "at most 4000 characters"
        tags = self.tags()
        bad = [t for t in tags if not re.match(_TAG_RE, t)]
        if bad:
            errs["tags"] = f"not a tag: {bad[0]!r} (lowercase letters, digits, '-')"
        elif len(set(tags)) != len(tags):
            errs["tags"] = "tags contain duplicates"
        elif len(tags) > 20:
            errs["tags"] = "at most 20 tags"
        if not SEMVER_RE.match(self.version_edit.text().strip()):
            errs["version"] = "semantic version X.Y.Z, e.g. 1.0.0"
        if not self.app_name_edit.text().strip():
            errs["app_name"] = "an app name is required"
        elif len(self.app_name_edit.text().strip()) > 50:
            errs["app_name"] = "at most 50 characters"
        if not APP_ID_RE.match(self.app_id_edit.text().strip()):
            errs["application_id"] = "Java package form with at least two parts, e.g. com.example.app"
        if self.target_sdk.value() < self.min_sdk.value():
            errs["target_sdk"] = "must be at least the min SDK"
        currency = self.currency_edit.text().strip()
        if not re.match(r"^[A-Z]{3}$", currency):
            errs["currency"] = "three capital letters, e.g. USD"
        else:
            try:
                parse_price(self.price_edit.text(), currency)
            except UserError as exc:
                errs["price"] = str(exc)
        try:
            content = json.loads(self.content_edit.toPlainText() or "{}")
            if not isinstance(content, dict):
                errs["content"] = "must be a JSON object, e.g. {\"quotes\": []}"
        except json.JSONDecodeError as exc:
            errs["content"] = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        return errs

    def base_id(self) -> str | None:
        """The stored template a new one starts from; None for the runtime's blank app."""
        return str(self.base_box.currentData() or "") or None

    def tags(self) -> list[str]:
        return [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]

    def touch(self, key: str) -> None:
        """A field was edited: from now on its error shows."""
        self._touched.add(key)
        self.validate()

    def validate(self) -> bool:
        """Errors show under the fields already touched (all of them once Save was pressed)."""
        errs = self.field_errors()
        for key, label in self.errors.items():
            label.setText(errs.get(key, "") if self._submitted or key in self._touched else "")
        ok = not errs
        self.validity_changed.emit(ok)
        return ok

    def manifest(self) -> dict[str, Any]:
        currency = self.currency_edit.text().strip()
        return {
            "id": self.id_edit.text().strip(),
            "title": self.title_edit.text().strip(),
            "category": self.category_box.currentText().strip(),
            "description": self.description_edit.toPlainText(),
            "tags": self.tags(),
            "version": self.version_edit.text().strip(),
            "app_name": self.app_name_edit.text().strip(),
            "application_id": self.app_id_edit.text().strip(),
            "min_sdk": self.min_sdk.value(),
            "target_sdk": self.target_sdk.value(),
            "price": {"amount": parse_price(self.price_edit.text(), currency), "currency": currency},
            "content": json.loads(self.content_edit.toPlainText() or "{}"),
        }

    def submit(self) -> None:
        self._submitted = True
        if not self.validate():
            first = next(k for k, label in self.errors.items() if label.text())
            self._fields[first].setFocus()
            return
        manifest, save = self.manifest(), self._save
        self.chosen_base = self.base_id()  # read here, on the GUI thread; the save runs on a worker
        self.buttons.setEnabled(False)  # one save at a time
        run_write(self, lambda: save(manifest), area=ChangeArea.TEMPLATES, ids=lambda info: (info.id,),
                  on_done=self._on_saved, on_error=self._on_save_refused)

    def _on_saved(self, info: TemplateInfo) -> None:
        self.buttons.setEnabled(True)
        self.result_value = info
        self.general_error.setVisible(False)
        self.accept()

    def _on_save_refused(self, exc: Exception) -> None:
        """The service's refusal (a duplicate id, someone else's newer save) is shown; the form stays open."""
        self.buttons.setEnabled(True)
        self.general_error.setText(str(exc) if isinstance(exc, UserError) else f"not saved: {exc}")
        self.general_error.setVisible(True)
        self.saved_or_refused.emit()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.focusWidget() in (
            self.description_edit, self.content_edit
        ):
            return  # newlines in multi-line fields, not submit
        super().keyPressEvent(event)
