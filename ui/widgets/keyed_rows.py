"""Bring a table model's rows to a new list by key: rows that changed are updated in place,
new ones inserted, gone ones removed, so views keep their selection and scroll position
(napari's evented-container model rather than a reset on every reload).

Neighbouring rows that go, or come, together are removed or inserted with one signal: a view
relays out once per signal, so filling an empty table with a page of 1,000 rows, or replacing
it by a search's results, costs one insert (and one removal) rather than 1,000 of each.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex

R = TypeVar("R")


def sync_rows(model: QAbstractItemModel, rows: list[R], new: Sequence[R], key: Callable[[R], Hashable]) -> None:
    """Edit ``rows`` (the model's own list) into ``new`` through the model's row signals."""
    wanted = {key(r) for r in new}
    last = len(rows) - 1
    while last >= 0:  # from the end, one removal per run of neighbouring rows that go
        if key(rows[last]) in wanted:
            last -= 1
            continue
        first = last
        while first > 0 and key(rows[first - 1]) not in wanted:
            first -= 1
        model.beginRemoveRows(QModelIndex(), first, last)
        del rows[first:last + 1]
        model.endRemoveRows()
        last = first - 1
    present = {key(r) for r in rows}
    last_column = max(0, model.columnCount() - 1)
    i = 0
    while i < len(new):
        item = new[i]
        k = key(item)
        if i < len(rows) and key(rows[i]) == k:
            if rows[i] != item:
                rows[i] = item
                model.dataChanged.emit(model.index(i, 0), model.index(i, last_column))
            i += 1
            continue
        if k not in present:  # new here: one insert for it and the new rows right after it
            end = i + 1
            while end < len(new) and key(new[end]) not in present:
                end += 1
            model.beginInsertRows(QModelIndex(), i, end - 1)
            rows[i:i] = new[i:end]
            model.endInsertRows()
            present.update(key(r) for r in new[i:end])
            i = end
            continue
        old = next(j for j in range(i + 1, len(rows)) if key(rows[j]) == k)  # moved up: take it out where it was
        model.beginRemoveRows(QModelIndex(), old, old)
        del rows[old]
        model.endRemoveRows()
        model.beginInsertRows(QModelIndex(), i, i)
        rows.insert(i, item)
        model.endInsertRows()
        i += 1
