"""Work around a PySide6 6.12.0 refcount bug: ``SignalInstance.emit()`` and ``.disconnect(slot)``
return ``True``/``False`` without taking a reference, so each call steals one reference to a bool
singleton. Once ``True``'s count reaches zero the interpreter aborts ("bool_dealloc: deallocating
True or False"), usually at exit -- and every emit anywhere (the event bus, pytest-qt) counts.

The bug is detected at import; if present, ``True`` and ``False`` get a large extra reference count
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
    if lost > 0:
        for _ in range(lost):
            _incref(True)
    probe.deleteLater()
    return lost >= 4


STEALS = _emit_steals_reference()


def _immortalize(obj: object) -> None:
    refcnt = ctypes.c_ssize_t.from_address(id(obj))
    if refcnt.value < (1 << 40):
        refcnt.value += 1 << 40


if STEALS:
    _immortalize(True)
    _immortalize(False)


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, returning the reference PySide6 6.12.0 steals."""
    result = signal.emit(*args)
    if STEALS and isinstance(result, bool):
        _incref(result)


def compensate(*_args: Any) -> None:
    """A slot for signals emitted by code outside this area (the event bus): one reference back per emit."""
    if STEALS:
        _incref(True)
