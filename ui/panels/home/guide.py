"""The first-run guide: each step done or to do, with the button that does it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QWidget

from app.home.model import GUIDE_TITLES, GuideItem, GuideStep

ACTIONS: dict[GuideStep, str] = {
    GuideStep.KEYRING: "Check again",
    GuideStep.SAMPLES: "Import samples",
    GuideStep.UPLOAD_KEY: "Create upload key…",
    GuideStep.KEY_BACKUP: "Back up key…",
    GuideStep.CREDENTIAL: "Add credential…",
    GuideStep.FIRST_BUILD: "Build…",
    GuideStep.FIRST_RELEASE: "Release…",
}


class GuideBox(QGroupBox):
    """One row per step; ``step_requested`` says which step's button was pressed."""

    step_requested = Signal(object)  # GuideStep

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Getting started", parent)
        self.setObjectName("firstRunGuide")
        grid = QGridLayout(self)
        grid.setColumnStretch(2, 1)
        self.marks: dict[GuideStep, QLabel] = {}
        self.details: dict[GuideStep, QLabel] = {}
        self.buttons: dict[GuideStep, QPushButton] = {}
        for row, step in enumerate(GuideStep):
            mark = QLabel()
            mark.setObjectName("guideMark")
            title = QLabel()
            title.setObjectName("guideTitle")
            detail = QLabel()
            detail.setWordWrap(True)
            detail.setTextFormat(Qt.TextFormat.PlainText)
            button = QPushButton(ACTIONS[step])
            button.clicked.connect(lambda _=False, s=step: self.step_requested.emit(s))
            grid.addWidget(mark, row, 0)
            grid.addWidget(title, row, 1)
            grid.addWidget(detail, row, 2)
            grid.addWidget(button, row, 3)
            self.marks[step], self.details[step], self.buttons[step] = mark, detail, button
            title.setText(f"<b>{GUIDE_TITLES[step]}</b>")

    def show_items(self, items: list[GuideItem]) -> None:
        had_focus = any(b.hasFocus() for b in self.buttons.values())
        for item in items:
            self.marks[item.step].setText("✓ done" if item.done else "○ to do")
            self.marks[item.step].setAccessibleName(f"{item.title}: {'done' if item.done else 'to do'}")
            self.details[item.step].setText(item.detail)
            button = self.buttons[item.step]
            button.setAccessibleName(f"{ACTIONS[item.step].rstrip('…')}: {item.title}")
            button.setVisible(not item.done)
        if had_focus and not any(b.hasFocus() for b in self.buttons.values()):
            self.focus_next_step()

    def focus_next_step(self) -> None:
        """Keyboard focus on the first step still to do (a done step's button goes away)."""
        todo = [b for b in self.buttons.values() if not b.isHidden()]
        if todo:
            todo[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def state(self) -> dict[GuideStep, bool]:
        return {step: mark.text().startswith("✓") for step, mark in self.marks.items()}

