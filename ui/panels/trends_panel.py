"""The Trends panel."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from services.bootstrap import ServiceManager
from ui.panels.placeholder import PlaceholderPanel


def create_panel(services: ServiceManager) -> QWidget:
    return PlaceholderPanel("Trends", services)
