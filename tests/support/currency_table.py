"""Who parses the ISO 4217 table first: ``with cold_currency_reads(monkeypatch) as on_gui: ...``.

The table (an XML parse and a few hundred enum members, 30-70 ms) is read on first use. The table
is emptied, and a spy that calls the real reader records each read that finds it still empty on
the main thread (the GUI's in a pytest-qt test). A panel should have it read on the worker that
reads its first rows, before they are painted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import app.currency


@contextmanager
def cold_currency_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    real = app.currency._iso
    real.cache_clear()
    on_gui: list[str] = []

    def spy() -> dict[str, int]:
        if real.cache_info().currsize == 0 and threading.current_thread() is threading.main_thread():
            on_gui.append("ISO 4217 table parsed on the GUI thread")
        return real()

    monkeypatch.setattr(app.currency, "_iso", spy)
    try:
        yield on_gui
    finally:
        monkeypatch.setattr(app.currency, "_iso", real)
