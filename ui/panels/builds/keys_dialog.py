"""Manage signing keys: list with fingerprints, create, import. Passwords go to the keyring only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.builds.model import KEY_BACKUP_WHY, KeyExport, KeyInfo
from services.builds.service import BuildsService
from ui.background import run_in_background
from ui.widgets.plain_text import plain_label


class KeysDialog(QDialog):
    shown = Signal()  # the key list (with each key's backup state) is on screen
    def __init__(self, service: BuildsService, parent: QWidget | None = None, *, backup: bool = False) -> None:
        """``backup``: opened to back a key up (the first key without a backup selected, Export… focused)."""
        super().__init__(parent)
        self._backup = backup
        self.setWindowTitle("Signing keys")
        self.resize(760, 360)
        self.service = service
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Alias", "Certificate SHA-256", "Subject", "Backup"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.alias = QLineEdit()
        self.alias.setPlaceholderText("alias, e.g. upload")
        self.dname = QLineEdit()
        self.dname.setPlaceholderText("CN=Your Name, O=Your Studio, C=US (optional)")
        self.import_password = QLineEdit()
        self.import_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_password.setPlaceholderText("password of the keystore to import")
        self.create_button = QPushButton("Create key")
        self.create_button.clicked.connect(self._on_create_clicked)
        self.import_button = QPushButton("Import keystore…")
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Copy the selected keystore out for a backup (its password stays in the keyring)")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.copy_button = QPushButton("Copy fingerprint")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.status = plain_label("Keystore passwords are generated (or typed once) and kept only in the OS keyring.")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Alias", self.alias)
        form.addRow("Distinguished name", self.dname)
        form.addRow("Import password", self.import_password)
        buttons = QHBoxLayout()
        for b in (self.create_button, self.import_button, self.export_button, self.copy_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.refresh()

    @classmethod
    def ask_keystore_file(cls, parent: QWidget) -> str:
        """Replaced in tests."""
        path, _ = QFileDialog.getOpenFileName(parent, "Import keystore", "", "Keystores (*.p12 *.pfx *.jks *.keystore);;All files (*)")
        return path

    @classmethod
    def ask_export_path(cls, parent: QWidget, alias: str) -> str:
        """Replaced in tests."""
        path, _ = QFileDialog.getSaveFileName(parent, f"Export key {alias}", f"{alias}.p12", "PKCS12 keystore (*.p12)")
        return path

    def refresh(self) -> None:
        service = self.service

        def load() -> tuple[list[KeyInfo], set[str]]:
            return service.list_keys(), service.backed_up_keys()

        run_in_background(load, self._show_keys, self._on_error, self)

    def _show_keys(self, loaded: tuple[list[KeyInfo], set[str]]) -> None:
        keys, backed_up = loaded
        self.table.setRowCount(len(keys))
        for row, k in enumerate(keys):
            backup = "✓ exported" if k.alias in backed_up else "not backed up"
            for col, value in enumerate((k.alias, k.fingerprint_sha256, k.subject, backup)):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.shown.emit()
        if self._backup:
            self._backup = False
            due = [row for row, k in enumerate(keys) if k.alias not in backed_up]
            if due:
                self.table.selectRow(due[0])
                self.export_button.setFocus()
                self.status.setText(f"Export… saves a copy of key {keys[due[0]].alias} ({KEY_BACKUP_WHY}); "
                                    "put it on another drive or in a password manager.")

    def _busy(self, on: bool, text: str = "") -> None:
        for b in (self.create_button, self.import_button, self.export_button):
            b.setEnabled(not on)
        if text:
            self.status.setText(text)

    def _on_create_clicked(self) -> None:
        alias, dname = self.alias.text().strip(), self.dname.text().strip() or None
        self._busy(True, f"creating key {alias}…")
        run_in_background(lambda: self.service.create_key(alias, dname=dname), self._on_done, self._on_error, self)

    def _on_import_clicked(self) -> None:
        path = self.ask_keystore_file(self)
        if not path:
            return
        alias, password = self.alias.text().strip(), self.import_password.text()
        self.import_password.clear()
        self._busy(True, f"importing {Path(path).name}…")
        run_in_background(lambda: self.service.import_key(alias, Path(path), password), self._on_done, self._on_error, self)

    def _on_done(self, key: KeyInfo) -> None:
        self._busy(False, f"key {key.alias} ready, certificate SHA-256 {key.fingerprint_sha256}.\n"
                          f"Back up this key now ({KEY_BACKUP_WHY}): select it, then Export…")
        self.refresh()

    def _selected_alias(self) -> str:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item is not None else ""

    def _on_export_clicked(self) -> None:
        alias = self._selected_alias()
        if not alias:
            self.status.setText("select the key to export first")
            return
        path = self.ask_export_path(self, alias)
        if not path:
            return
        self._busy(True, f"exporting key {alias}…")
        run_in_background(lambda: self.service.export_key(alias, Path(path)), self._on_exported, self._on_error, self)

    def _on_exported(self, exported: KeyExport) -> None:
        self._busy(False, f"exported key {exported.alias} to {exported.path}. Its password is not in that file: it "
                          f"stays in the OS keyring (service trendforge, entry {exported.keyring_entry}); "
                          "keep both, or the key is lost.")
        self.refresh()

    def _on_error(self, exc: Exception) -> None:
        self._busy(False, f"error: {exc}")

    def _on_copy_clicked(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 1) if row >= 0 else None
        if item is not None:
            QGuiApplication.clipboard().setText(item.text())
            self.status.setText(f"copied {item.text()[:16]}…")
