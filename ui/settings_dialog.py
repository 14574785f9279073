"""Settings: provider credentials (to the keyring), base URLs, toolchain paths, theme."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Signal
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
    QSpacerItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.credentials import FORMATS, credential_problem
from app.errors import TrendForgeError, UserError
from app.notifications import KIND_LABELS, MUTED_SETTING, NotificationKind, muted_kinds
from app.payments.model import Provider
from app.trends.model import CREDENTIALED
from services.config import DEFAULT_BASE_URLS
from services.db.backend import EXAMPLE_URL
from services.db.store_choice import PRECEDENCE, StoreSource
from services.db.store_choice import problem as store_url_problem
from services.secrets import PROVIDER_NAMES
from ui.background import run_in_background
from ui.colors import Tone, tone_hex, tone_style
from ui.theme import THEMES
from ui.widgets.plain_text import plain_label, tooltip

if TYPE_CHECKING:
    from services.bootstrap import Services

URL = re.compile(r"^https?://\S+$")
TOOLCHAIN_KEYS = {
    "toolchain.android_home": "Android SDK (ANDROID_HOME)",
    "toolchain.java_home": "Java home (JAVA_HOME)",
    "toolchain.extra_path": "Extra tool folders (PATH, ':'-separated)",
}


def _testable(name: str) -> bool:
    """A credential with something to call: a payment provider's API (Ko-fi sends webhooks only), a credentialed
    trend source (X, TikTok), or Google's token endpoint (Play)."""
    if name == "play" or name in CREDENTIALED:
        return True
    try:
        return Provider.parse(name).has_api
    except UserError:
        return False


class SettingsDialog(QDialog):
    tested = Signal(str, bool)  # a connection test finished: provider, whether it accepted the credential
    store_tested = Signal(bool)  # a shared-store connection test finished: whether it connected

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(680)
        self.services = services
        current = services.settings.all()
        stored = set(services.settings.list_credentials())

        # credentials: a format hint for the field in focus, the format checked as typed, a connection test
        self.secret_edits: dict[str, QLineEdit] = {}
        self.secret_state: dict[str, QLabel] = {}
        self.save_buttons: dict[str, QPushButton] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self._stored = stored
        cred = QWidget()
        cform = QFormLayout(cred)
        cform.addRow(QLabel("Secrets are stored in the OS keyring only, never in TrendForge's database or logs."))
        for name in PROVIDER_NAMES:
            fmt = FORMATS[name]
            if name == "play":
                cform.addRow(fmt.provider, self._play_key_row(services))
                self.play_choose.setToolTip(tooltip(fmt.hint))
                continue
            edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            edit.setObjectName(f"secret_{name}")
            edit.setAccessibleName(fmt.label)
            edit.setToolTip(tooltip(fmt.hint))
            edit.setPlaceholderText("stored; type to replace" if name in stored else fmt.placeholder)
            edit.installEventFilter(self)
            edit.textChanged.connect(lambda _t, n=name: self._check_secret(n))
            state = plain_label("✔ stored" if name in stored else "—")
            save = QPushButton("Save")
            delete = QPushButton("Delete")
            save.clicked.connect(lambda _=False, n=name: self.save_secret(n))
            delete.clicked.connect(lambda _=False, n=name: self.delete_secret(n))
            state.setMinimumWidth(state.fontMetrics().horizontalAdvance("✗ check format") + 8)  # rows line up
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(state)
            test = QPushButton("Test")
            if not _testable(name):  # keeps its place, so the fields line up
                test.setVisible(False)
                policy = test.sizePolicy()
                policy.setRetainSizeWhenHidden(True)
                test.setSizePolicy(policy)
                row.addWidget(test)
            else:
                test.setToolTip(f"Call {name} once with the typed {fmt.label} (or the stored one)")
                test.setAccessibleName(f"Test connection: {name}")
                test.clicked.connect(lambda _=False, n=name: self.test_secret(n))
                row.addWidget(test)
                self.test_buttons[name] = test
            row.addWidget(save)
            row.addWidget(delete)
            cform.addRow(fmt.provider, row)
            self.secret_edits[name] = edit
            self.secret_state[name] = state
            self.save_buttons[name] = save
        self.hint = plain_label("Select a field to see what its credential looks like and where to find it.")
        self.hint.setObjectName("credentialHint")
        self.hint.setWordWrap(True)
        self.hint.setMinimumHeight(self.hint.fontMetrics().lineSpacing() * 3)  # no jump as hints change
        self.test_result = plain_label()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        cform.addItem(QSpacerItem(0, 6))
        cform.addRow(self.hint)
        cform.addRow(self.test_result)

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
        self.store_tab = self._store_tab(services)
        self.tabs.addTab(self.store_tab, "Shared store")
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
        if self.store_edit.text().strip() != self._saved_store and not self.save_store():
            self.tabs.setCurrentWidget(self.store_tab)
            return
        try:
            self.services.settings.update(self.values())
        except TrendForgeError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    # -- the shared store (team mode) ---------------------------------------------------------------
    def _store_tab(self, services: Services) -> QWidget:
        in_use = services.settings.store_in_use()
        self._saved_store = in_use.saved or ""
        tab = QWidget()
        form = QFormLayout(tab)
        chosen = f" ({in_use.source.value})" if in_use.source is StoreSource.LOCAL else f" (chosen by {in_use.source.value})"
        self.store_current = plain_label(f"{in_use.where}{chosen}")
        self.store_current.setObjectName("storeInUse")
        self.store_current.setWordWrap(True)
        form.addRow("In use now", self.store_current)
        self.store_edit = QLineEdit(self._saved_store)
        self.store_edit.setObjectName("store_url")
        self.store_edit.setAccessibleName("Shared store database URL")
        self.store_edit.setPlaceholderText(f"{EXAMPLE_URL} (empty: the local SQLite file)")
        self.store_edit.textChanged.connect(self._check_store)
        self.store_test = QPushButton("Test connection")
        self.store_test.setAccessibleName("Test connection: shared store")
        self.store_test.clicked.connect(self.test_store)
        self.store_save = QPushButton("Save")
        self.store_save.setAccessibleName("Save the shared store for the next start")
        self.store_save.clicked.connect(self.save_store)
        row = QHBoxLayout()
        row.addWidget(self.store_edit, 1)
        row.addWidget(self.store_test)
        row.addWidget(self.store_save)
        form.addRow("Database URL", row)
        self.store_result = plain_label()
        self.store_result.setObjectName("storeResult")
        self.store_result.setWordWrap(True)
        self.store_result.setMinimumHeight(self.store_result.fontMetrics().lineSpacing() * 3)  # no clipped answer
        form.addRow(self.store_result)
        about = plain_label(
            f"Which store TrendForge opens at start: {PRECEDENCE}. A studio shares one PostgreSQL database "
            "(see README, Team mode). The URL is saved in this machine's data directory, without a password: "
            "put the password in ~/.pgpass (or the file PGPASSFILE names). A change applies at the next start.")
        about.setWordWrap(True)
        form.addRow(about)
        return tab

    def _check_store(self) -> str | None:
        """The typed URL's problem in one line (Save and Test stay off while there is one)."""
        found = store_url_problem(self.store_edit.text())
        self.store_edit.setStyleSheet(f"border: 1px solid {tone_hex(Tone.ERROR)}" if found else "")
        self.store_save.setEnabled(found is None)
        self.store_test.setEnabled(found is None and bool(self.store_edit.text().strip()))
        self.store_result.setStyleSheet(tone_style(Tone.ERROR) if found else "")
        self.store_result.setText(f"✗ {found}" if found else "")
        return found

    def test_store(self) -> None:
        """Connect to the typed URL once, off the GUI thread; say in words what answered."""
        given = self.store_edit.text().strip()
        if not given or self._check_store():
            return
        self.store_test.setEnabled(False)
        self.store_result.setStyleSheet("")
        self.store_result.setText("connecting…")
        settings = self.services.settings

        def done(answer: str) -> None:
            self.store_test.setEnabled(True)
            self.store_result.setStyleSheet(tone_style(Tone.OK))
            unsaved = "" if given == self._saved_store else " — not saved yet: press Save to use it from the next start"
            self.store_result.setText(f"✔ {answer}{unsaved}")
            self.store_tested.emit(True)

        def failed(exc: Exception) -> None:
            self.store_test.setEnabled(True)
            self.store_result.setStyleSheet(tone_style(Tone.ERROR))
            self.store_result.setText(f"✗ {exc}")
            self.store_tested.emit(False)

        run_in_background(lambda: settings.test_store(given), done, failed, self)

    def save_store(self) -> bool:
        """Save the typed URL for the next start (empty: the local SQLite file); True when saved."""
        if self._check_store():
            return False
        try:
            saved = self.services.settings.save_store(self.store_edit.text())
        except TrendForgeError as exc:
            self.store_result.setStyleSheet(tone_style(Tone.ERROR))
            self.store_result.setText(f"✗ {exc}")
            return False
        self._saved_store = saved or ""
        self.store_edit.setText(self._saved_store)
        source = self.services.settings.store_in_use().source
        chosen = saved or "the local SQLite file"
        self.store_result.setStyleSheet(tone_style(Tone.OK))
        if source in (StoreSource.FLAG, StoreSource.ENV):  # they win over the saved URL (see PRECEDENCE)
            self.store_result.setText(f"✔ saved: {chosen} opens at a start without {source.value}, "
                                      f"which is set now and wins over it")
        else:
            self.store_result.setText(f"✔ saved: the next start opens {chosen}")
        return True

    # -- secrets ------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            for name, edit in self.secret_edits.items():
                if edit is watched:
                    self.show_hint(name)
        return super().eventFilter(watched, event)

    def show_hint(self, name: str) -> None:
        fmt = FORMATS[name]
        self.hint.setText(f"{fmt.label}: {fmt.hint}")

    def _check_secret(self, name: str) -> str | None:
        """The typed value's format problem, shown beside it as it is typed; Save stays off while there is one."""
        text = self.secret_edits[name].text()
        problem = credential_problem(name, text) if text else None
        state = self.secret_state[name]
        if problem:
            state.setText("✗ check format")
            state.setStyleSheet(tone_style(Tone.ERROR))
            self.error.setText(f"{name}: {problem}")
        else:
            state.setText("✔ stored" if name in self._stored else "—")
            state.setStyleSheet("")
            if self.error.text().startswith(f"{name}: "):
                self.error.setText("")
        self.save_buttons[name].setEnabled(problem is None)
        self.show_hint(name)
        return problem

    def _connection_test(self, name: str, typed: str | None) -> Callable[[], str]:
        """The one call that tests the ``name`` credential (run off the GUI thread)."""
        if name == "play":
            releases = self.services.releases
            return lambda: releases.test_key(typed)
        if name in CREDENTIALED:
            trends = self.services.trends
            return lambda: trends.test_connection(name, typed)
        payments = self.services.payments
        return lambda: payments.test_connection(name, typed)

    def test_secret(self, name: str) -> None:
        """Call the provider once, off the GUI thread, with the typed value (or the stored one); say what it answered."""
        edit = self.secret_edits.get(name)  # the Play key has no field: its stored key is tested
        typed = edit.text() if edit is not None else ""
        if typed and self._check_secret(name):
            return
        button = self.test_buttons[name]
        button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(f"testing {name}…")

        def done(answer: str) -> None:
            button.setEnabled(True)
            self.test_result.setStyleSheet(tone_style(Tone.OK))
            self.test_result.setText(f"✔ {answer}" + ("" if not typed or name in self._stored else
                                                      " — not stored yet: press Save to keep it"))
            self.tested.emit(name, True)

        def failed(exc: Exception) -> None:
            button.setEnabled(True)
            self.test_result.setStyleSheet(tone_style(Tone.ERROR))
            text = str(exc)
            self.test_result.setText(f"✗ {text}" if text.startswith(f"{name}: ") else f"✗ {name}: {text}")
            self.tested.emit(name, False)

        run_in_background(self._connection_test(name, typed or None), done, failed, self)

    def save_secret(self, name: str) -> None:
        edit = self.secret_edits[name]
        try:
            self.services.settings.set_credential(name, edit.text())
        except TrendForgeError as exc:
            self.error.setText(str(exc))
            return
        self._stored.add(name)
        edit.clear()
        edit.setPlaceholderText("stored; type to replace")
        self.secret_state[name].setText("✔ stored")
        self.error.setText("")

    def delete_secret(self, name: str) -> None:
        try:
            self.services.settings.delete_credential(name)
        except TrendForgeError as exc:
            self.error.setText(str(exc))
            return
        self._stored.discard(name)
        self.secret_edits[name].setPlaceholderText(FORMATS[name].placeholder)
        self.secret_state[name].setText("—")
        self.error.setText("")

    # -- the Google Play service-account key --------------------------------------------------------
    def _play_key_row(self, services: Services) -> QHBoxLayout:
        account = services.releases.account()
        self.play_state = plain_label(f"✔ {account}" if account else "no service-account key")
        self.play_choose = QPushButton("Choose JSON key…")
        self.play_choose.setObjectName("play_choose_key")
        self.play_choose.clicked.connect(self.choose_play_key)
        delete = QPushButton("Delete")
        delete.clicked.connect(self.delete_play_key)
        test = QPushButton("Test")
        test.setToolTip("Ask Google's token endpoint for an access token with the stored key")
        test.setAccessibleName("Test connection: play")
        test.clicked.connect(lambda: self.test_secret("play"))
        self.test_buttons["play"] = test
        row = QHBoxLayout()
        row.addWidget(self.play_state, 1)
        row.addWidget(self.play_choose)
        row.addWidget(test)
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
    def ask(cls, services: Services, parent: QWidget | None = None) -> bool:
        """Show modally; True when the user saved. Tests replace this."""
        return cls(services, parent).exec() == QDialog.DialogCode.Accepted
