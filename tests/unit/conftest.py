"""Unit tests build the one service they test on an in-memory context (tests/support/memory_context.py)."""

from __future__ import annotations

from tests.support.memory_context import memory_context  # migrated_template: tests/conftest.py

__all__ = ["memory_context"]
