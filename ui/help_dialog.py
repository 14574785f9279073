"""F1: the bundled help (README's sections, the template format) and the keyboard shortcuts.

The Markdown files ship with the app (the installer copies README.md and docs/template-format.md
beside the bundle); from a source checkout they are read from the repository.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QTextBrowser, QWidget

README_SECTIONS = ("Home", "Templates", "Builds", "Payments", "Trends", "Workflows", "Publishing to Google Play",
                   "Events", "Data")
TEMPLATE_FORMAT = "Template format"
SHORTCUTS = "Keyboard shortcuts"
_IMAGE = re.compile(r"^\s*(!\[[^\]]*\]\([^)]*\)\s*)+$|^\|.*!\[.*$", re.MULTILINE)


def docs_root() -> Path:
    """Where README.md and docs/ are: the bundle's folder when frozen, else the repository."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parents[1]


def readme_sections(text: str) -> dict[str, str]:
    """``## Title`` -> that section's Markdown (screenshots left out: the help is text)."""
    out: dict[str, str] = {}
    for chunk in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title, _, body = chunk.partition("\n")
        out[title.strip()] = _IMAGE.sub("", f"## {title}\n{body}").strip()
    return out


def shortcuts_markdown(actions: list[QAction]) -> str:
    rows = [(a.text().replace("&", "").rstrip("…"), a.shortcut().toString()) for a in actions if not a.shortcut().isEmpty()]
    lines = ["## Keyboard shortcuts", "", "| Action | Keys |", "| --- | --- |"]
    lines += [f"| {name} | {keys} |" for name, keys in rows]
    lines += ["| Next field / previous field | Tab / Shift+Tab |", "| Open the selected row | Enter |"]
    return "\n".join(lines)


class HelpDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None, *, topic: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("TrendForge help")
        self.resize(900, 620)
        root = docs_root()
        self.pages: dict[str, str] = {}
        readme = root / "README.md"
        sections = readme_sections(readme.read_text(encoding="utf-8")) if readme.is_file() else {}
        for title in README_SECTIONS:
            if title in sections:
                self.pages[title] = sections[title]
        fmt = root / "docs" / "template-format.md"
        if fmt.is_file():
            self.pages[TEMPLATE_FORMAT] = _IMAGE.sub("", fmt.read_text(encoding="utf-8"))
        self.pages[SHORTCUTS] = shortcuts_markdown(actions)
        self.topics = QListWidget()
        self.topics.setAccessibleName("Help topics")
        self.topics.addItems(list(self.pages))
        self.topics.setFixedWidth(200)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Help text")
        self.browser.setOpenExternalLinks(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.topics)
        layout.addWidget(self.browser, 1)
        self.topics.currentTextChanged.connect(self.show_topic)
        names = list(self.pages)
        self.topics.setCurrentRow(names.index(topic) if topic in names else 0)

    def show_topic(self, title: str) -> None:
        self.browser.setMarkdown(self.pages.get(title, ""))
