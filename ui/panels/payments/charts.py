"""Revenue charts (QtCharts): net revenue over time, and gross/net by provider."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

from app.payments.model import SummaryRow
from app.payments.money import exponent
from ui.theme import chart_theme

EMPTY_REVENUE = "Net revenue over time: no payments yet"
EMPTY_PROVIDERS = "By provider: no payments yet"
# the smallest top of a value axis: with whole-number labels, 0..1 read "1, 1, 1, 0, 0, 0"; 0..5 ticks 0, 1, ... 5
MIN_TOP = 5.0


def _major(amount: int, currency: str) -> float:
    return float(amount) / float(10 ** exponent(currency))  # display only; stored money stays integer


CHART_MIN_HEIGHT = 180  # both charts, stacked, fit the Charts tab at the minimum window size (960x600)


def _replace(view: QChartView, chart: QChart) -> None:
    """Show ``chart`` in ``view`` and delete the one it replaces (setChart only releases it: a leak per redraw)."""
    old = view.chart()
    view.setChart(chart)
    if old is not None:
        old.deleteLater()


class RevenueChart(QChartView):
    """Net revenue per day (or month) in one currency."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QChart(), parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(CHART_MIN_HEIGHT)
        self.points = 0

    def show_rows(self, rows: list[SummaryRow], currency: str | None) -> None:
        chart = QChart()
        chart.setTheme(chart_theme())
        chart.legend().hide()
        picked = sorted((r for r in rows if r.currency == currency), key=lambda r: r.key)
        self.points = len(picked)
        if not picked:  # no axes to read "1970-01-01" and "1, 1, 1, 0, 0, 0" off
            chart.setTitle(EMPTY_REVENUE)
            _replace(self, chart)
            return
        chart.setTitle(f"Net revenue over time ({currency})")
        series = QLineSeries()
        for r in picked:
            day = date.fromisoformat(r.key if len(r.key) == 10 else r.key + "-01")
            ms = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000
            series.append(ms, _major(r.net, r.currency))
        chart.addSeries(series)
        x = QDateTimeAxis()
        x.setFormat("yyyy-MM-dd")
        x.setTickCount(min(6, max(2, len(picked))))
        y = QValueAxis()
        y.setLabelFormat("%.0f")
        values = [_major(r.net, r.currency) for r in picked]
        y.setRange(min(0.0, min(values)), max(MIN_TOP, max(values) * 1.1))
        y.applyNiceNumbers()  # ticks on round values: "%.0f" of 2.25 and 6.75 read as 2 and 7
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        _replace(self, chart)


class ProviderChart(QChartView):
    """Gross and net by provider in one currency."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QChart(), parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(CHART_MIN_HEIGHT)
        self.categories: list[str] = []

    def show_rows(self, rows: list[SummaryRow], currency: str | None) -> None:
        chart = QChart()
        chart.setTheme(chart_theme())
        picked = [r for r in rows if r.currency == currency]
        self.categories = [r.key for r in picked]
        if not picked:
            chart.setTitle(EMPTY_PROVIDERS)
            chart.legend().hide()
            _replace(self, chart)
            return
        chart.setTitle(f"By provider ({currency})")
        gross, net = QBarSet("Gross"), QBarSet("Net")
        for r in picked:
            gross.append(_major(r.gross, r.currency))
            net.append(_major(r.net, r.currency))
        series = QBarSeries()
        series.append(gross)
        series.append(net)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(self.categories)
        y = QValueAxis()
        y.setLabelFormat("%.0f")
        top = max(_major(r.gross, r.currency) for r in picked)
        y.setRange(0.0, max(MIN_TOP, top * 1.1))
        y.applyNiceNumbers()
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        _replace(self, chart)
