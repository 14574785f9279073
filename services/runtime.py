"""The one job runtime: the only place where work leaves the event loop's thread.

Work runs on the Qt event loop, which the app and each CLI command drive through qasync. Blocking
work goes to one pool of worker threads, owned by the application (a child of the
QCoreApplication, like the app's other process-wide objects, so it lives and dies with it):

- coroutines call ``asyncio.to_thread``: :func:`lend_to` makes this pool the loop's default
  executor, so those calls run on the same threads;
- blocking code that needs a coroutine's outcome (a service's plain method called from a panel's worker)
  calls :func:`run_blocking`: the coroutine runs on the application's loop, and the caller waits;
- Qt-driven code (a build job's Python step, a panel's read or write) may run under any turning Qt
  event loop, not only under a running asyncio loop (a test's ``qtbot`` wait, a bare
  QCoreApplication), so it calls :func:`offload`. Like ``asyncio.to_thread``, the call sees the
  caller's context variables (the correlation of what started it); its outcome comes back as a
  queued signal on the receiver's thread, and only while the receiver exists.

Nothing else in ``services/`` or ``ui/`` starts a thread or a thread pool: a test scans for it.

Once the pool has been idle for :data:`GIVE_BACK_AFTER_MS` after a burst of work, the caches
registered with :meth:`JobRuntime.add_idle_release` are released (the store's page caches) and
the free memory left in the C heap is handed back to the OS, on a worker (:mod:`services.heap`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from services import heap

T = TypeVar("T")
log = logging.getLogger(__name__)

_PREFIX = "trendforge-job"
GIVE_BACK_AFTER_MS = 1000  # idle this long after work ended: the free heap goes back to the OS


class _Bridge(QObject):
    """Carries one outcome from a worker thread to the receiver's thread (a queued connection)."""

    done = Signal(object)
    failed = Signal(object)


class _Lent(concurrent.futures.ThreadPoolExecutor):
    """The pool as an event loop's default executor: closing the loop does not stop the pool.

    A ThreadPoolExecutor by class only (asyncio's own loops accept no other), which never starts a
    thread: every call goes to the runtime's pool."""

    def __init__(self, runtime: JobRuntime) -> None:
        super().__init__(max_workers=1)
        self._runtime = runtime

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        return self._runtime._run(lambda: fn(*args, **kwargs))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """The runtime owns the threads; a loop that closes only stops lending them."""


class JobRuntime(QObject):
    """The application's pool of worker threads (asyncio's default size: cores + 4, at most 32)."""

    went_idle = Signal()  # the last running job ended (emitted on that job's worker)
    delivered = Signal()  # an offloaded call's outcome reached its receiver (emitted on the receiver's thread, after)
    gave_back = Signal()  # the free heap was handed back to the OS after a burst of work

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._size = min(32, (os.cpu_count() or 1) + 4)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=self._size, thread_name_prefix=_PREFIX)
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._lock = threading.Lock()
        self._bridges: set[_Bridge] = set()  # kept alive until their outcome is delivered
        self._loop: asyncio.AbstractEventLoop | None = None  # the application's loop, once lent to
        self._loop_thread = 0
        self._releases: list[Callable[[], object]] = []  # run on a worker before the heap is given back
        self._running = 0  # jobs submitted and not ended, asyncio.to_thread's included
        self._give_back = QTimer(self)
        self._give_back.setSingleShot(True)
        self._give_back.setInterval(GIVE_BACK_AFTER_MS)
        self._give_back.timeout.connect(self._give_back_if_idle)
        self.went_idle.connect(self._give_back.start)  # queued onto the runtime's thread
        pool = self._pool
        self.destroyed.connect(lambda: pool.shutdown(wait=False, cancel_futures=True))

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Run ``fn`` on a worker thread with the caller's context variables."""
        future = self._run(contextvars.copy_context().run, fn)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _run(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        with self._lock:
            self._running += 1
        try:
            future = self._pool.submit(fn, *args)
        except BaseException:
            self._ended(None)
            raise
        future.add_done_callback(self._ended)
        return future

    def _ended(self, _future: concurrent.futures.Future[Any] | None) -> None:
        with self._lock:
            self._running -= 1
            idle = self._running == 0
        if idle:
            with contextlib.suppress(RuntimeError):  # the application is going away
                self.went_idle.emit()

    def _give_back_if_idle(self) -> None:
        with self._lock:
            if self._running:
                return  # more work came: its end arms the timer again
            releases = list(self._releases)
        if not releases and not heap.can_give_back():
            return
        # not counted as work, so it does not arm the timer again
        self._pool.submit(self._release_and_give_back, releases).add_done_callback(lambda _: self._gave_back())

    def add_idle_release(self, release: Callable[[], object]) -> Callable[[], None]:
        """Run ``release`` on a worker each time the pool goes idle after work, before the free heap is
        given back; returns the call that stops it (for whoever closes what ``release`` frees)."""
        with self._lock:
            self._releases.append(release)

        def remove() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._releases.remove(release)

        return remove

    @staticmethod
    def _release_and_give_back(releases: list[Callable[[], object]]) -> None:
        for release in releases:
            try:
                release()
            except Exception:  # a cache that cannot be released now is released next time
                log.warning("releasing a cache once idle failed", exc_info=True)
        heap.give_back_free_heap()

    def _gave_back(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.gave_back.emit()

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def offload(self, fn: Callable[[], T], receiver: QObject, on_done: Callable[[T], None],
                on_error: Callable[[Exception], None]) -> None:
        """Run ``fn`` on a worker; ``on_done(result)`` or ``on_error(exc)`` on ``receiver``'s thread.

        Neither is called once ``receiver`` is destroyed. The bridge has no parent, so it cannot be
        destroyed with the receiver while the worker still emits on it."""
        bridge = _Bridge()
        bridge.moveToThread(receiver.thread())
        self._bridges.add(bridge)

        def deliver(callback: Callable[[Any], None], value: object) -> None:
            self._bridges.discard(bridge)
            bridge.deleteLater()
            try:
                if shiboken6.isValid(receiver):
                    callback(value)
            finally:
                self.delivered.emit()

        # queued even when the work ended before this returns: a callback never runs inside offload()
        queued = Qt.ConnectionType.QueuedConnection
        bridge.done.connect(lambda value: deliver(on_done, value), queued)
        bridge.failed.connect(lambda exc: deliver(on_error, exc), queued)

        def report(future: concurrent.futures.Future[T]) -> None:
            if future.cancelled():  # the application went away first
                return
            exc = future.exception()
            with contextlib.suppress(RuntimeError):  # the application is going away
                if isinstance(exc, Exception):
                    bridge.failed.emit(exc)
                elif exc is None:
                    bridge.done.emit(future.result())

        self.submit(fn).add_done_callback(report)

    def prestart(self) -> None:
        """Start every worker thread now, on the calling thread, so that no later ``submit`` starts one.

        The pool starts a thread in ``submit`` when none is idle, and ``Thread.start`` waits until
        the new thread runs, which needs the GIL: called from the GUI thread while workers import
        and read, each wait was 3-25 ms of its start-up. Each worker waits until all have started,
        so none is idle (and reused) before the last is started."""
        all_started = threading.Barrier(self._size)
        for _ in range(self._size):
            self._pool.submit(all_started.wait, 10.0)

    @contextlib.contextmanager
    def lending_a_worker(self) -> Iterator[None]:
        """While a worker waits for a coroutine (:func:`run_blocking`), the pool may start one more thread.

        The coroutine's own ``asyncio.to_thread`` calls need a worker: with every worker waiting for
        one (six plain calls at once from panels' workers), none would be left and all would wait for
        ever. Off the pool's threads this does nothing."""
        if not threading.current_thread().name.startswith(_PREFIX):
            yield
            return
        with self._lock:
            self._pool._max_workers += 1
        try:
            yield
        finally:
            with self._lock:
                self._pool._max_workers -= 1

    def busy(self) -> bool:
        """Some work handed over has not ended yet."""
        with self._lock:
            return bool(self._pending)

    def pending(self) -> int:
        """How many offloaded calls have not delivered their outcome yet (queued, running, or on its way)."""
        return len(self._bridges)

    def settled(self) -> bool:
        """No work is running and no outcome is still on its way to its receiver."""
        return not self.busy() and not self._bridges

    def drain(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the work handed over so far; True if all of it ended."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = concurrent.futures.wait(pending, timeout=timeout_s)
        return not not_done

    def lend_to(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make the pool ``loop``'s default executor, so ``asyncio.to_thread`` runs on it too; ``loop`` is
        the application's (on the calling thread), where :func:`run_blocking` runs coroutines."""
        loop.set_default_executor(_Lent(self))
        self._loop, self._loop_thread = loop, threading.get_ident()

    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The application's loop while it runs on another thread than the caller's."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running() or self._loop_thread == threading.get_ident():
            return None
        return loop


_creating = threading.Lock()


def job_runtime() -> JobRuntime:
    """The application's runtime (created with the first job, from whichever thread asks)."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("the job runtime needs a Qt application")
    with _creating:
        runtime = app.findChild(JobRuntime)
        if runtime is None:
            runtime = JobRuntime()
            runtime.moveToThread(app.thread())  # it belongs with the application, not the asking thread
            runtime.setParent(app)
    return runtime


def _existing_runtime() -> JobRuntime | None:
    """The application's runtime if there are an application and a runtime (none is created)."""
    app = QCoreApplication.instance()
    return app.findChild(JobRuntime) if app is not None else None


def offload(fn: Callable[[], T], receiver: QObject, on_done: Callable[[T], None],
            on_error: Callable[[Exception], None]) -> None:
    """:meth:`JobRuntime.offload` on the application's runtime."""
    job_runtime().offload(fn, receiver, on_done, on_error)


async def on_own_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Await ``make()`` run on an event loop of its own, on one of the pool's workers.

    For network work made of many small callbacks (an HTTP client's, a paged listing's): on the
    caller's loop (the GUI's, under qasync) each of them is GUI-thread time, and each waits for the
    GIL while workers write what was fetched. That loop's ``asyncio.to_thread`` runs on the pool
    too, the worker it occupies is lent back (:meth:`JobRuntime.lending_a_worker`), and context
    variables are the caller's. Cancelling the wait cancels the coroutine there and waits for it to
    end (its ``finally`` blocks run) before the cancellation goes on; its outcome, errors included,
    is the caller's. Whatever the coroutine binds to its loop (an HTTP client) it must close itself.
    """
    runtime = _existing_runtime()
    lock = threading.Lock()
    running: list[tuple[asyncio.AbstractEventLoop, asyncio.Task[T]]] = []
    cancelled = [False]

    def run() -> T:
        loop = asyncio.new_event_loop()
        if runtime is not None:
            loop.set_default_executor(_Lent(runtime))
        try:
            lent = runtime.lending_a_worker() if runtime is not None else contextlib.nullcontext()
            with lent:
                task = loop.create_task(make())
                with lock:
                    running.append((loop, task))
                    if cancelled[0]:
                        task.cancel()
                return loop.run_until_complete(task)
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                with lock:
                    running.clear()
                loop.close()

    there = asyncio.ensure_future(asyncio.to_thread(run))
    try:
        return await asyncio.shield(there)
    except asyncio.CancelledError:
        with lock:
            cancelled[0] = True
            for loop, task in running:
                loop.call_soon_threadsafe(task.cancel)
        while not there.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({there})
        if not there.cancelled():
            there.exception()  # retrieved: the cancellation is what goes on
        raise


def run_blocking(coro: Coroutine[Any, Any, T], *, alone_then: Callable[[], Awaitable[None]] | None = None) -> T:
    """Wait for ``coro`` from blocking code: a panel's worker, a CLI command's plain call.

    It runs on the application's loop (the GUI's qasync loop, a CLI command's) while that loop turns
    on another thread. Only where none does (a test calling a service directly, a worker under a bare
    QApplication) does it get a loop of its own, and ``alone_then`` (closing what was bound to that
    loop, e.g. an HTTP client) is awaited after it there. From a running loop's own thread: await it.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise RuntimeError("called from a running event loop: await the coroutine instead")
    runtime = _existing_runtime()
    loop = runtime.loop() if runtime is not None else None
    if runtime is not None and loop is not None:
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        with runtime.lending_a_worker():
            return future.result()

    async def alone() -> T:
        try:
            return await coro
        finally:
            if alone_then is not None:
                await alone_then()

    return asyncio.run(alone())
