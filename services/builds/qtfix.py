"""Work around a PySide6 6.12.0 refcount bug: ``SignalInstance.emit()`` returns ``True`` without
taking a reference, so every Python-side emit steals one reference to ``True``. After a few hundred
emits ``True``'s count reaches zero and the interpreter aborts ("bool_dealloc: deallocating True or
False"), usually at exit. :func:`emit` gives the reference back; it detects the bug at import, so it
is a no-op on a fixed PySide6. (An extra reference to ``True`` is harmless: it is a singleton.)
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


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, returning the reference PySide6 6.12.0 steals."""
    result = signal.emit(*args)
    if STEALS and isinstance(result, bool):
        _incref(result)


def compensate(*_args: Any) -> None:
    """A slot for signals emitted by code outside this area (the event bus): one reference back per emit."""
    if STEALS:
        _incref(True)
