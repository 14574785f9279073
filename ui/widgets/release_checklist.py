"""The release check as a checklist: one line per rule, passed, warned about or blocking."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.store.check import CheckReport, Severity, checklist
from ui.colors import Tone, tone_hex

MARKS = {None: "✓", Severity.WARNING: "⚠", Severity.BLOCKER: "✗"}
TONES = {None: Tone.OK, Severity.WARNING: Tone.WARNING, Severity.BLOCKER: Tone.ERROR}


class ReleaseChecklist(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("—")
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(2 * self.list.fontMetrics().height())  # fits the Builds panel at 960x600 (it scrolls)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.list)

    def show_pending(self, what: str) -> None:
        self.summary.setText(f"Checking {what}…")

    def show_message(self, text: str) -> None:
        self.summary.setText(text)
        self.list.clear()

    def show_report(self, report: CheckReport) -> None:
        blockers, warnings = len(report.blockers), len(report.warnings)
        verdict = "Ready for release" if report.ready else "Not ready for release"
        self.summary.setText(f"{verdict} ({report.platform}, {report.deploy.value}): "
                             f"{blockers} blocking, {warnings} to look at")
        self.list.clear()
        for severity, text in checklist(report):
            item = QListWidgetItem(f"{MARKS[severity]}  {text}")  # plain text: field names and paths as they are
            item.setForeground(QBrush(QColor(tone_hex(TONES[severity]))))
            self.list.addItem(item)

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
