"""A table's columns kept inside its viewport: no column is cut off at the edge.

Each column has a preferred width (what the panel sized it to). When the viewport is wide enough the
columns get those widths and one column (the last, unless another is named) takes what is left.
When it is narrower (a 960x600 window, a wide side pane) every column shrinks in proportion, none
below a floor that still shows a few characters, and the view elides the text that no longer fits:
the user sees every column, e.g. whether a payment was refunded, without scrolling sideways. A
column the user drags to a width keeps that width as its preference.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView

FLOOR = 36  # px: the narrowest a shrunk column gets (a few characters and the ellipsis)


def fitted(preferred: Sequence[int], minimum: Sequence[int], available: int, stretch: int) -> list[int]:
    """Widths for columns that prefer ``preferred`` and need ``minimum`` in ``available`` pixels.

    Room to spare goes to column ``stretch``. Short of room, each column gives up the same share of
    what it has beyond its minimum; shorter still, the minimums shrink in proportion, to ``FLOOR``.
    The widths add up to ``available`` (give or take rounding).
    """
    widths = list(preferred)
    if not widths:
        return widths
    total, least = sum(widths), sum(minimum)
    if total <= available:
        widths[stretch] += available - total
        return widths
    if least <= available:
        share = (available - least) / (total - least)
        widths = [m + int((w - m) * share) for w, m in zip(widths, minimum, strict=True)]
        widths[stretch] += available - sum(widths)  # what rounding down left over
        return widths
    scale = available / least
    floors = [min(FLOOR, m) for m in minimum]
    if sum(floors) > available:  # not even a few characters each: every column the same share of its minimum
        floors = [0] * len(widths)
    widths = [max(f, int(m * scale)) for m, f in zip(minimum, floors, strict=True)]
    excess = sum(widths) - available
    while excess > 0:  # the floors: take the rest from the widest columns that can give
        col = max(range(len(widths)), key=lambda c: widths[c] - floors[c])
        give = min(excess, widths[col] - floors[col])
        if give <= 0:
            break
        widths[col] -= give
        excess -= give
    return widths


class FittedColumns(QObject):
    """Keeps ``view``'s columns inside its viewport (see the module's docstring)."""

    def __init__(self, view: QAbstractItemView, preferred: Sequence[int], minimum: Sequence[int] = (),
                 stretch: int | None = None) -> None:
        super().__init__(view)
        self._view = view
        self._preferred = list(preferred)
        self._minimum = list(minimum)
        self._stretch = stretch
        self._applying = False
        header = self._header()
        header.setStretchLastSection(False)  # the fit decides who takes the rest
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)  # a narrowed column's title too, not clipped
        header.sectionResized.connect(self._on_header_section_resized)
        header.sectionCountChanged.connect(lambda _old, _new: self.fit())
        view.viewport().installEventFilter(self)
        self.fit()

    def _header(self) -> QHeaderView:
        header = getattr(self._view, "horizontalHeader", None)
        assert header is not None, "a table view"
        result: QHeaderView = header()
        return result

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _columns(self) -> list[int]:
        header = self._header()
        return [c for c in range(header.count()) if not header.isSectionHidden(c)]

    def _preference(self, col: int) -> int:
        return self._preferred[col] if col < len(self._preferred) else self._header().defaultSectionSize()

    def _least(self, col: int) -> int:
        """What column ``col`` needs before its neighbours give more (its preference if that is less)."""
        least = self._minimum[col] if col < len(self._minimum) else FLOOR
        return min(least, self._preference(col))

    def fit(self) -> None:
        columns = self._columns()
        if not columns:
            return
        stretch = columns.index(self._stretch) if self._stretch in columns else len(columns) - 1
        widths = fitted([self._preference(c) for c in columns], [self._least(c) for c in columns],
                        self._view.viewport().width(), stretch)
        header = self._header()
        self._applying = True
        try:
            for col, width in zip(columns, widths, strict=True):
                if header.sectionSize(col) != width:
                    header.resizeSection(col, width)
        finally:
            self._applying = False

    def _on_header_section_resized(self, col: int, _old: int, new: int) -> None:
        if self._applying:
            return
        while len(self._preferred) <= col:
            self._preferred.append(self._header().defaultSectionSize())
        self._preferred[col] = new  # the user's width is the column's preference from now on
        self.fit()


def fit_columns(view: QAbstractItemView, preferred: Sequence[int], minimum: Sequence[int] = (),
                stretch: int | None = None) -> FittedColumns:
    """Keep ``view``'s columns inside its viewport: ``preferred`` widths when there is room (column
    ``stretch``, else the last, takes the rest), else down towards ``minimum`` (``FLOOR`` where not given)."""
    return FittedColumns(view, preferred, minimum, stretch)
