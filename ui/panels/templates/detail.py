"""The Templates panel's side pages: the selected template's details and its reviews.

The panel builds each page when it is first needed (the details a moment after the panel is
first shown, the reviews when their tab is first shown), so opening the panel lays out and paints
the table and its filters only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.templates.model import Review, TemplateInfo, TemplateStats
from app.templates.rules import format_price
from ui.colors import Tone, tone_style
from ui.widgets.plain_text import escape, plain_label
from ui.widgets.release_checklist import ReleaseChecklist

STATS_FIELDS = ("builds", "revenue", "last_activity", "trending")  # detail fields read in the background
FIELDS = (("id", "Id"), ("status", "Status"), ("category", "Category"), ("tags", "Tags"), ("version", "Version"),
          ("app_name", "App name"), ("application_id", "Application id"), ("sdk", "SDK (min / target)"),
          ("price", "Price"), ("description", "Description"), ("content", "Content"), ("rating", "Rating"),
          ("builds", "Builds"), ("revenue", "Revenue"), ("last_activity", "Last activity"),
          ("trending", "Trending score"))


class TemplateDetails(QScrollArea):
    """Title, preview, manifest fields, the figures other areas keep, and the release checklist."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = QLabel("No preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(150, 240)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in FIELDS:
            value = plain_label("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(label, value)
        self.detail_title = QLabel("<i>Select a template</i>")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.detail_title)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(form)
        # Google Play's upload rules for this template as an app bundle, checked off the GUI thread
        self.release_checklist = ReleaseChecklist()
        check_box = QGroupBox("Release check (app bundle for Google Play)")
        QVBoxLayout(check_box).addWidget(self.release_checklist)
        layout.addWidget(check_box)
        layout.addStretch(1)
        self.setWidgetResizable(True)
        self.setWidget(page)

    def show_none(self) -> None:
        self.detail_title.setText("<i>Select a template</i>")
        self.preview.setPixmap(QPixmap())
        self.preview.setText("No preview")
        for label in self.fields.values():
            label.setText("—")

    def show_info(self, info: TemplateInfo, preview: Path | None) -> None:
        """The manifest's fields now; the stats fields say "…" until :meth:`show_stats`."""
        self.detail_title.setText(f"<h3>{escape(info.title)}</h3>")
        pix = QPixmap(str(preview)) if preview else QPixmap()
        if pix.isNull():
            self.preview.setPixmap(QPixmap())
            self.preview.setText("No preview")
        else:
            self.preview.setPixmap(pix.scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
        content_keys = ", ".join(f"{k} ({len(v) if isinstance(v, (list, dict)) else 1})" for k, v in info.content.items())
        values = {
            "id": info.id,
            "status": info.status.value,
            "category": info.category,
            "tags": ", ".join(info.tags) or "—",
            "version": info.version,
            "app_name": info.app_name,
            "application_id": info.application_id,
            "sdk": f"{info.min_sdk} / {info.target_sdk}",
            "price": format_price(info.price_amount, info.price_currency),
            "description": info.description or "—",
            "content": content_keys or "—",
            "rating": f"{info.rating_avg:.2f} ★ from {info.rating_count}" if info.rating_avg is not None else "no reviews yet",
        }
        for key, label in self.fields.items():
            label.setText(values.get(key, "…" if key in STATS_FIELDS else "—"))

    def show_stats(self, stats: TemplateStats | None) -> None:
        values = dict.fromkeys(STATS_FIELDS, "—")
        if stats is not None:
            rate = f", {stats.build_success_rate:.0%} succeeded" if stats.build_success_rate is not None else ""
            values["builds"] = f"{stats.builds}{rate}"
            values["revenue"] = (format_price(stats.revenue_minor, stats.currency) if stats.currency and stats.revenue_minor
                                 else "none yet")
            values["last_activity"] = stats.last_activity.strftime("%Y-%m-%d %H:%M UTC") if stats.last_activity else "—"
            values["trending"] = f"{stats.trending_score:.2f}"
        for key, value in values.items():
            self.fields[key].setText(value)


class TemplateReviews(QWidget):
    """The selected template's reviews and the form that adds one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reviews_table = QTableWidget(0, 3)
        self.reviews_table.setHorizontalHeaderLabels(["Reviewer", "Rating", "Review"])
        self.reviews_table.horizontalHeader().setStretchLastSection(True)
        self.reviews_table.verticalHeader().setVisible(False)
        self.reviews_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reviews_summary = QLabel()
        self.rating_spin = QSpinBox(minimum=1, maximum=5, value=5)
        self.rating_spin.setSuffix(" ★")
        self.reviewer_edit = QLineEdit("me")
        self.review_text = QLineEdit(placeholderText="What worked, what did not…")
        self.review_button = QPushButton("Add review")
        self.review_error = QLabel()
        self.review_error.setStyleSheet(tone_style(Tone.ERROR))
        form = QFormLayout()
        form.addRow("Rating", self.rating_spin)
        form.addRow("Reviewer", self.reviewer_edit)
        form.addRow("Review", self.review_text)
        form.addRow(self.review_button)
        form.addRow(self.review_error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reviews_summary)
        layout.addWidget(self.reviews_table, 1)
        layout.addLayout(form)

    def show_reviews(self, info: TemplateInfo | None, reviews: list[Review]) -> None:
        """``info``'s reviews; none and no summary when nothing is selected."""
        self.reviews_table.setRowCount(len(reviews))
        for row, r in enumerate(reviews):
            self.reviews_table.setItem(row, 0, QTableWidgetItem(r.reviewer))
            self.reviews_table.setItem(row, 1, QTableWidgetItem("★" * r.rating + "☆" * (5 - r.rating)))
            self.reviews_table.setItem(row, 2, QTableWidgetItem(r.text))
        if info is None:
            self.reviews_summary.setText("")
        elif info.rating_avg is not None:
            self.reviews_summary.setText(
                f"Average {info.rating_avg:.2f} ★ from {info.rating_count} review{'s' if info.rating_count != 1 else ''}")
        else:
            self.reviews_summary.setText("No reviews yet")
