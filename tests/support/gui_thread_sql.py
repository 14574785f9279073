"""Which SQL statements ran on the GUI thread: ``with sql_on_gui_thread(engine) as seen: ...``.

Listens to the engine's ``before_cursor_execute`` and keeps each statement run by the main
thread (the GUI's in a pytest-qt test) while the block runs. A panel's reads go through
:class:`ui.background.LatestQuery`, so a test of an open or a click asserts ``seen == []``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def sql_on_gui_thread(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            seen.append(" ".join(statement.split())[:200])

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
