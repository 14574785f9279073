"""The run dialog: one field per workflow input, typed by the definition."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.key_choice import KEY_INPUT, KeyCombo
from ui.widgets.plain_text import plain_label, tooltip

if TYPE_CHECKING:
    from app.jsonvalue import JsonObject, JsonValue
    from services.workflows.rows import InputRow


def _start_number(value: JsonValue) -> str | int | float:
    """What a number field starts from: a scalar as it is (text is parsed), none or empty as 0."""
    return value if isinstance(value, str | int | float) and value != "" else 0


class RunDialog(QDialog):
    """``RunDialog.ask(...)`` returns the inputs, or None if cancelled (tests replace ``ask``)."""

    def __init__(self, title: str, inputs: Sequence[InputRow], values: Mapping[str, JsonValue] | None = None,
                 note: str = "", parent: QWidget | None = None, keys: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.specs = inputs
        self.fields: dict[str, QWidget] = {}
        values = values or {}
        form = QFormLayout()
        for spec in inputs:
            name, type_ = spec["name"], spec["type"]
            value = values.get(name, spec.get("default"))
            widget: QWidget
            if name == KEY_INPUT and keys is not None:
                widget = KeyCombo(keys, value if isinstance(value, str) else None)
            elif type_ == "boolean":
                box = QCheckBox()
                box.setChecked(bool(value))
                widget = box
            elif type_ == "integer":
                spin = QSpinBox()
                spin.setRange(-1_000_000_000, 1_000_000_000)
                spin.setValue(int(_start_number(value)))
                widget = spin
            elif type_ == "number":
                dspin = QDoubleSpinBox()
                dspin.setRange(-1e12, 1e12)
                dspin.setDecimals(3)
                dspin.setValue(float(_start_number(value)))
                widget = dspin
            else:
                line = QLineEdit()
                if value is not None:
                    line.setText(value if isinstance(value, str) else json.dumps(value))
                if spec.get("required"):
                    line.setPlaceholderText("required")
                widget = line
            widget.setToolTip(tooltip(str(spec.get("description", ""))))
            label = name + (" *" if spec.get("required") else "")
            form.addRow(plain_label(label), widget)
            self.fields[name] = widget
        layout = QVBoxLayout(self)
        if note:
            lbl = plain_label(note)
            lbl.setWordWrap(True)
            layout.addWidget(lbl)
        if not inputs:
            layout.addWidget(QLabel("This workflow takes no inputs."))
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Run")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def values(self) -> JsonObject:
        out: JsonObject = {}
        for spec in self.specs:
            w = self.fields[spec["name"]]
            if isinstance(w, KeyCombo):
                alias = w.alias()
                if alias is not None:
                    out[spec["name"]] = alias
            elif isinstance(w, QCheckBox):
                out[spec["name"]] = w.isChecked()
            elif isinstance(w, QSpinBox | QDoubleSpinBox):
                out[spec["name"]] = w.value()
            elif isinstance(w, QLineEdit):
                text = w.text().strip()
                if text == "" and not spec.get("required"):
                    continue
                out[spec["name"]] = text  # the service types and validates it
        return out

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, inputs: Sequence[InputRow],
            values: Mapping[str, JsonValue] | None = None, note: str = "", keys: list[str] | None = None) -> JsonObject | None:
        """``keys``: the signing keys to offer for a ``key_alias`` input (None: a plain text field)."""
        dlg = cls(title, inputs, values, note, parent, keys)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.values()
