"""A qasync loop for GUI tests (tests/support/qasync_loop.py): the engine runs on it, like in the app."""

from __future__ import annotations

from tests.support.qasync_loop import aloop, drive

__all__ = ["aloop", "drive"]
