"""Hold a panel's first background read until the test lets it go.

``Gate.wrap(fn)`` returns a stand-in for a service method: its first call (on whatever thread
runs it) waits until :meth:`Gate.release`, later calls go straight through; every call records
its thread. A test starts a read, starts a newer one while the first is held, then releases the
first, and checks the slot returned at once, the held (stale) result was never shown and its
SQL was stopped (``first_error``: the cancelled query's ``QueryInterrupted`` or ``interrupted``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Gate:
    def __init__(self) -> None:
        self._open = threading.Event()
        self._first = True
        self._lock = threading.Lock()
        self.held = threading.Event()  # the first call is waiting
        self.done = threading.Event()  # the first call has returned
        self.threads: list[threading.Thread] = []
        self.first_error: BaseException | None = None  # what the held call raised (superseded: interrupted)

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                first, self._first = self._first, False
                self.threads.append(threading.current_thread())
            if not first:
                return fn(*args, **kwargs)
            self.held.set()
            try:
                if not self._open.wait(timeout=30):
                    raise TimeoutError("the gate was never released")
                return fn(*args, **kwargs)
            except BaseException as exc:
                self.first_error = exc
                raise
            finally:
                self.done.set()

        return gated

    def release(self) -> None:
        self._open.set()

    @property
    def stopped(self) -> bool:
        """The held call's SQL was stopped: not started (superseded) or interrupted while running."""
        from services.db.cancel import QueryInterrupted

        exc = self.first_error
        return isinstance(exc, QueryInterrupted) or (exc is not None and "interrupted" in str(exc))

    @property
    def off_gui_thread(self) -> bool:
        return bool(self.threads) and all(t is not threading.main_thread() for t in self.threads)


def background_settled() -> bool:
    """No background job's callbacks are still on their way to the GUI thread."""
    from services.runtime import job_runtime

    return job_runtime().settled()
