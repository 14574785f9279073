"""Where a process's memory is, for the GUI benches: RSS split by kind, and the data a window shows.

``parts()`` reads /proc/self/smaps_rollup (anonymous vs file-backed: libraries mapped from disk),
glibc's mallinfo2 (the C heap in use and free inside it) and SQLite's own allocator
(``sqlite3_memory_used``: every connection's page cache and schema). ``shown_data_bytes(window)``
measures the data the window's item models hold (their Python rows, followed object by object)
and the pixmaps its labels show, so the RSS target's "plus the data it shows" is a figure of
this run, not a guess.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import types
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


@dataclass(frozen=True)
class Parts:
    rss: int
    anonymous: int
    file_backed: int
    c_heap_used: int
    c_heap_free: int
    sqlite: int

    def line(self) -> str:
        return (f"RSS {self.rss / MB:.1f} MB = anonymous {self.anonymous / MB:.1f} + file-backed (libraries) "
                f"{self.file_backed / MB:.1f}; C heap in use {self.c_heap_used / MB:.1f}, free in it "
                f"{self.c_heap_free / MB:.1f}; SQLite {self.sqlite / MB:.1f} MB")


def parts() -> Parts:
    fields: dict[str, int] = {}
    with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
        for line in fh:
            bits = line.split()
            if len(bits) == 3 and bits[2] == "kB":
                fields[bits[0].rstrip(":")] = int(bits[1]) * 1024
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    sqlite = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    return Parts(fields["Rss"], fields["Anonymous"], fields["Rss"] - fields["Anonymous"],
                 info.uordblks + info.hblkhd, info.fordblks, sqlite.sqlite3_memory_used())


def still_resident_free_heap() -> str:
    """How much of the C heap's free memory is still in RAM: what one more ``malloc_trim`` returns now.

    mallinfo2's free figure counts every free chunk, also those whose pages the idle give-back has
    already handed to the OS (they stay free chunks, just not resident), so it is not RSS. Call it
    after the figures are taken: it changes them."""
    from services import heap

    before = parts()
    heap.give_back_free_heap()
    after = parts()
    return (f"of the C heap's {before.c_heap_free / MB:.1f} MB free, a malloc_trim now returns "
            f"{max(0, before.rss - after.rss) / MB:.1f} MB of RSS (the rest is already handed back, or in pieces "
            f"smaller than a page)")


_LEAVES = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
           types.CodeType, types.FrameType)


def _deep_size(roots: list[Any], seen: set[int]) -> int:
    from PySide6.QtCore import QObject

    total = 0
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (*_LEAVES, QObject)):
            continue
        owner = type(obj).__module__ or ""
        if owner.startswith(("services", "sqlalchemy")):  # a handle on the service layer, not shown data
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def shown_data_bytes(window: Any) -> int:
    """The rows the window's item models hold (Python side) plus the pixmaps its labels show."""
    from PySide6.QtCore import QAbstractItemModel
    from PySide6.QtWidgets import QLabel

    seen: set[int] = set()
    rows = sum(_deep_size(list(vars(model).values()), seen) for model in window.findChildren(QAbstractItemModel))
    pixels = 0
    for label in window.findChildren(QLabel):
        pixmap = label.pixmap()
        if not pixmap.isNull():
            pixels += pixmap.width() * pixmap.height() * pixmap.depth() // 8
    return rows + pixels
