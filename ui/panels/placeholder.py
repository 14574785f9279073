"""Panels of areas that have not landed yet: an honest empty state, not a fake table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from services.bootstrap import Services

TEXTS = {
    "Templates": "Your app templates will be listed here. Import a template package "
    "(a folder or .zip with template.json) with Import… or by dropping it on the window.",
    "Payments": "One ledger of sales across Stripe, Gumroad, Ko-fi and itch.io. Store provider "
    "credentials in Settings (Ctrl+,) to get ready for syncing.",
    "Trends": "Rising topics from Reddit, Google Trends, X and TikTok, with history and scores.",
    "Builds": "Signed APK, AAB and web builds of your templates, with a live progress view.",
    "Workflows": "Durable multi-step runs: trend -> template -> build -> sign -> deploy.",
}


class PlaceholderPanel(QWidget):
    def __init__(self, title: str, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        layout = QVBoxLayout(self)
        layout.addWidget(EmptyState(title, TEXTS.get(title, "")))
