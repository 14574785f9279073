"""Text that a user, a package, a feed or a provider wrote is shown as text, never as markup.

Qt guesses: a QLabel, a tooltip or a message box whose text *looks* like HTML (``Qt.mightBeRichText``)
is rendered as rich text, so a trend titled ``<img src="file:///...">`` would load a local file and a
template description with ``<a href=...>`` would show a link. Every widget that shows such text goes
through this module: labels and message boxes are set to ``Qt.PlainText``; where a widget mixes our own
markup with foreign text (a bold header, a red error), the foreign part is escaped with :func:`escape`;
tooltips, which have no format switch, go through :func:`tooltip`.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def escape(text: object) -> str:
    """Foreign text made safe to embed in our own rich-text markup (line breaks kept)."""
    return html.escape(str(text), quote=True).replace("\n", "<br>")


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows its text exactly as given, whatever it looks like."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def make_plain(*labels: QLabel) -> None:
    """Switch existing labels to plain text (for labels built elsewhere, e.g. by QFormLayout)."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def tooltip(text: str) -> str:
    """A tooltip string that Qt shows as the given text: escaped into a pre-wrapped paragraph when Qt
    would otherwise take it for markup."""
    if not QtGuiNamespace.mightBeRichText(text):
        return text
    return f"<p style='white-space:pre-wrap'>{html.escape(text, quote=True)}</p>"


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A message box whose text is plain (the static QMessageBox helpers guess rich text)."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box


def warn(parent: QWidget | None, title: str, text: str) -> None:
    box = message_box(parent, QMessageBox.Icon.Warning, title, text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def ask_yes_no(parent: QWidget | None, title: str, text: str, default_yes: bool = True) -> bool:
    box = message_box(parent, QMessageBox.Icon.Question, title, text)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
