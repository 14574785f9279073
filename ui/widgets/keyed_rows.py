"""Bring a table model's rows to a new list by key: rows that changed are updated in place,
new ones inserted, gone ones removed, so views keep their selection and scroll position
(napari's evented-container model rather than a reset on every reload)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex

R = TypeVar("R")


def sync_rows(model: QAbstractItemModel, rows: list[R], new: Sequence[R], key: Callable[[R], Hashable]) -> None:
    """Edit ``rows`` (the model's own list) into ``new`` through the model's row signals."""
    wanted = {key(r) for r in new}
    for i in range(len(rows) - 1, -1, -1):
        if key(rows[i]) not in wanted:
            model.beginRemoveRows(QModelIndex(), i, i)
            del rows[i]
            model.endRemoveRows()
    last_column = max(0, model.columnCount() - 1)
    for i, item in enumerate(new):
        k = key(item)
        if i < len(rows) and key(rows[i]) == k:
            if rows[i] != item:
                rows[i] = item
                model.dataChanged.emit(model.index(i, 0), model.index(i, last_column))
            continue
        old = next((j for j in range(i + 1, len(rows)) if key(rows[j]) == k), None)
        if old is not None:  # moved up: take it out where it was
            model.beginRemoveRows(QModelIndex(), old, old)
            del rows[old]
            model.endRemoveRows()
        model.beginInsertRows(QModelIndex(), i, i)
        rows.insert(i, item)
        model.endInsertRows()
