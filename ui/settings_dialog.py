"""Settings: provider credentials (to the keyring), base URLs, toolchain paths, theme."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import TrendForgeError
from app.notifications import KIND_LABELS, MUTED_SETTING, NotificationKind, muted_kinds
from services.config import DEFAULT_BASE_URLS
from services.secrets import PROVIDER_NAMES
from ui.colors import Tone, tone_hex, tone_style
from ui.theme import THEMES
from ui.widgets.plain_text import plain_label

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager

URL = re.compile(r"^https?://\S+$")
TOOLCHAIN_KEYS = {
    "toolchain.android_home": "Android SDK (ANDROID_HOME)",
    "toolchain.java_home": "Java home (JAVA_HOME)",
    "toolchain.extra_path": "Extra tool folders (PATH, ':'-separated)",
}


class SettingsDialog(QDialog):
    def __init__(self, services: ServiceManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.services = services
        current = services.settings.all()
        stored = set(services.settings.list_credentials())

        # credentials
        self.secret_edits: dict[str, QLineEdit] = {}
        self.secret_state: dict[str, QLabel] = {}
        cred = QWidget()
        cform = QFormLayout(cred)
        cform.addRow(QLabel("Secrets are stored in the OS keyring only, never in TrendForge's database or logs."))
        for name in PROVIDER_NAMES:
            if name == "play":
                cform.addRow("play", self._play_key_row(services))
                continue
            edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            edit.setObjectName(f"secret_{name}")
            edit.setPlaceholderText("stored in keyring (type to replace)" if name in stored else "not set")
            state = QLabel("✔ stored" if name in stored else "—")
            save = QPushButton("Save")
            delete = QPushButton("Delete")
            save.clicked.connect(lambda _=False, n=name: self.save_secret(n))
            delete.clicked.connect(lambda _=False, n=name: self.delete_secret(n))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(state)
            row.addWidget(save)
            row.addWidget(delete)
            cform.addRow(name, row)
            self.secret_edits[name] = edit
            self.secret_state[name] = state

        # base URLs
        self.url_edits: dict[str, QLineEdit] = {}
        urls = QWidget()
        uform = QFormLayout(urls)
        for name, default in DEFAULT_BASE_URLS.items():
            edit = QLineEdit(str(current.get(f"base_url.{name.lower()}", "") or ""))
            edit.setPlaceholderText(default)
            edit.setObjectName(f"url_{name}")
            edit.textChanged.connect(self._validate)
            uform.addRow(self._label(name), edit)
            self.url_edits[name] = edit
        uform.addRow(QLabel("Leave empty for the default. TRENDFORGE_<NAME>_BASE_URL overrides these."))

        # toolchain
        self.tool_edits: dict[str, QLineEdit] = {}
        tools = QWidget()
        tform = QFormLayout(tools)
        for key, label in TOOLCHAIN_KEYS.items():
            edit = QLineEdit(str(current.get(key, "") or ""))
            self.tool_edits[key] = edit
            tform.addRow(label, edit)

        # appearance
        self.theme_box = QComboBox()
        self.theme_box.addItems(list(THEMES))
        self.theme_box.setCurrentText(str(current.get("ui.theme", "system")))
        look = QWidget()
        QFormLayout(look).addRow("Theme", self.theme_box)

        # notifications: one switch per kind
        muted = muted_kinds(current.get(MUTED_SETTING, []))
        self.notify_boxes: dict[NotificationKind, QCheckBox] = {}
        notes = QWidget()
        nl = QVBoxLayout(notes)
        nl.addWidget(QLabel("Show a desktop notification when:"))
        for kind, label in KIND_LABELS.items():
            box = QCheckBox(label)
            box.setChecked(kind not in muted)
            nl.addWidget(box)
            self.notify_boxes[kind] = box
        nl.addStretch(1)

        self.tabs = QTabWidget()
        self.tabs.addTab(cred, "Credentials")
        self.tabs.addTab(urls, "Providers")
        self.tabs.addTab(tools, "Toolchain")
        self.tabs.addTab(look, "Appearance")
        self.tabs.addTab(notes, "Notifications")

        self.error = plain_label()
        self.error.setStyleSheet(tone_style(Tone.ERROR))
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._validate()

    @staticmethod
    def _label(name: str) -> str:
        """The provider's name as the form shows it (GOOGLE_TRENDS -> Google Trends)."""
        return name.replace("_", " ").title()

    # -- validation ------------------------------------------------------------------
    def _validate(self) -> bool:
        bad = [n for n, e in self.url_edits.items() if e.text().strip() and not URL.match(e.text().strip())]
        for name, edit in self.url_edits.items():
            edit.setStyleSheet(f"border: 1px solid {tone_hex(Tone.ERROR)}" if name in bad else "")
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok_button.setEnabled(not bad)
        self.error.setText(
            f"{', '.join(self._label(n) for n in bad)}: a base URL must start with http:// or https:// "
            "(e.g. https://api.example.com or http://127.0.0.1:8420), or be left empty for the default" if bad else ""
        )
        return not bad

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {f"base_url.{n.lower()}": e.text().strip() for n, e in self.url_edits.items()}
        out.update({k: e.text().strip() for k, e in self.tool_edits.items()})
        out["ui.theme"] = self.theme_box.currentText()
        out[MUTED_SETTING] = sorted(k.value for k, box in self.notify_boxes.items() if not box.isChecked())
        return out

    def accept(self) -> None:
        if not self._validate():
            return
        try:
            self.services.settings.update(self.values())
        except TrendForgeError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    # -- secrets ------------------------------------------------------------------------
    def save_secret(self, name: str) -> None:
        edit = self.secret_edits[name]
        try:
            self.services.settings.set_credential(name, edit.text())
        except TrendForgeError as exc:
            self.error.setText(str(exc))
            return
        edit.clear()
        edit.setPlaceholderText("stored in keyring (type to replace)")
        self.secret_state[name].setText("✔ stored")
        self.error.setText("")

    def delete_secret(self, name: str) -> None:
        try:
            self.services.settings.delete_credential(name)
        except TrendForgeError as exc:
            self.error.setText(str(exc))
            return
        self.secret_edits[name].setPlaceholderText("not set")
        self.secret_state[name].setText("—")
        self.error.setText("")

    # -- the Google Play service-account key --------------------------------------------------------
    def _play_key_row(self, services: ServiceManager) -> QHBoxLayout:
        account = services.releases.account()
        self.play_state = plain_label(f"✔ {account}" if account else "no service-account key")
        self.play_choose = QPushButton("Choose JSON key…")
        self.play_choose.setObjectName("play_choose_key")
        self.play_choose.clicked.connect(self.choose_play_key)
        delete = QPushButton("Delete")
        delete.clicked.connect(self.delete_play_key)
        row = QHBoxLayout()
        row.addWidget(self.play_state, 1)
        row.addWidget(self.play_choose)
        row.addWidget(delete)
        return row

    @classmethod
    def ask_play_key_file(cls, parent: QWidget) -> str:
        """The service account's JSON key file ('' if cancelled); tests replace this."""
        path, _ = QFileDialog.getOpenFileName(parent, "Google Play service-account key", "", "JSON key (*.json)")
        return path

    def choose_play_key(self) -> None:
        path = self.ask_play_key_file(self)
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="utf-8")
            key = self.services.releases.store_key(text)
        except (OSError, UnicodeDecodeError) as exc:
            self.error.setText(f"cannot read {Path(path).name}: {exc}")
            return
        except TrendForgeError as exc:
            self.error.setText(str(exc))
            return
        self.play_state.setText(f"✔ {key.client_email}")
        self.error.setText("")

    def delete_play_key(self) -> None:
        self.services.settings.delete_credential("play")
        self.play_state.setText("no service-account key")
        self.error.setText("")

    @classmethod
    def ask(cls, services: ServiceManager, parent: QWidget | None = None) -> bool:
        """Show modally; True when the user saved. Tests replace this."""
        return cls(services, parent).exec() == QDialog.DialogCode.Accepted
