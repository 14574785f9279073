"""Work around a PySide6 6.12.0 refcount bug: ``SignalInstance.emit()`` and ``.disconnect(slot)``
return ``True``/``False`` without taking a reference, so each call steals one reference to a bool
singleton. Once ``True``'s count reaches zero the interpreter aborts ("bool_dealloc: deallocating
True or False"), usually at exit -- and every emit anywhere (the event bus, pytest-qt) counts.

The bug is detected by :func:`install` (called when the area is wired); if present, ``True`` and ``False`` get a large extra reference count
(as CPython 3.12+ makes them immortal anyway), which no realistic number of emits can use up. Extra
references to these statically allocated singletons are harmless. :func:`emit` also returns the
stolen reference per call.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_steals_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(4):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        _incref(True)
    del probe
    return lost >= 4


STEALS = False
_installed = False


def _immortalize(obj: object) -> None:
    refcnt = ctypes.c_ssize_t.from_address(id(obj))
    if refcnt.value < (1 << 40):
        refcnt.value += 1 << 40


def install() -> bool:
    """Detect the bug once and, if present, make the bool singletons' counts unreachable by it."""
    global STEALS, _installed
    if not _installed:
        _installed = True
        STEALS = _emit_steals_reference()
        if STEALS:
            _immortalize(True)
            _immortalize(False)
    return STEALS


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, returning the reference PySide6 6.12.0 steals."""
    result = signal.emit(*args)
    if not _installed:
        install()
    if STEALS and isinstance(result, bool):
        _incref(result)

