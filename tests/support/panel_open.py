"""Wait for a panel's first read: panels read their first page off the GUI thread after they are built."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar


class Loads(Protocol):
    @property
    def loading(self) -> bool: ...


P = TypeVar("P", bound=Loads)


def opened(qtbot: Any, panel: P, timeout: int = 10_000) -> P:
    """``panel`` once the read its constructor started is shown (or has failed)."""
    qtbot.waitUntil(lambda: not panel.loading, timeout=timeout)
    return panel
