"""The CLI's one event loop per command: a qasync loop over a QCoreApplication.

A command that waits on jobs (a build's QProcess tools, a workflow run) runs its coroutine here
once; the services' coroutines are the same ones the GUI awaits on its own qasync loop.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_on_loop(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a qasync loop over a QCoreApplication (QProcess-based work needs Qt)."""
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    import qasync  # after PySide6, so it binds to it

    from services.runtime import job_runtime

    loop = qasync.QEventLoop(app)
    job_runtime().lend_to(loop)  # asyncio.to_thread runs on the app's one pool
    asyncio.set_event_loop(loop)
    try:
        with loop:
            result: T = loop.run_until_complete(factory())
            return result
    finally:
        asyncio.set_event_loop(None)
