"""Where the GUI thread spends a stall: a sampling profiler for bench/gui_scale.py ``--profile``.

A daemon thread writes the GUI thread's Python stack every millisecond while an action runs. Afterwards
the samples that fall inside the action's worst heartbeat gap are grouped by their innermost frames of
the project (``app/``, ``services/``, ``ui/``), so a stall reads as "412 samples in
ui/panels/x.py:120 _on_loaded <- ...". C++ time (Qt layout, painting) shows as the Python frame that
called into Qt.

The stack is read with ``faulthandler.dump_traceback`` (C, into a memory file), not with
``sys._current_frames``, which hands the sampler the GUI thread's frame objects: a frame the sampler
still held (it held the last one through its sleep) when the GUI thread returned from it kept that
frame's locals alive, the Qt wrappers a ``notify`` or a slot was using, and they were let go later on
the sampler's thread while the GUI thread ran Qt without the GIL. Profiled runs through Events and
Releases then got wrappers of the wrong type from PySide (``horizontalHeader()`` a QWidget, ``notify``
a QEvent as its receiver: a stale wrapper kept for an address Qt had reused). Garbage collection
was not it: with every collection's garbage kept (``gc.DEBUG_SAVEALL``) the errors still came. Reading
frames also built frame objects under the interpreter's thread-list lock, where a collection they
started could hang the run (CPython 3.11). The dump holds no reference to anything and builds no
frame, and the sampling loop makes no object the collector tracks, so no collection starts on the
sampler thread.
"""

from __future__ import annotations

import faulthandler
import os
import re
import struct
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = tuple(str(ROOT / d) for d in ("app", "services", "ui"))


_FRAME = re.compile(r'^  File "(?P<file>.*)", line (?P<line>\d+) in (?P<name>.*)$', re.MULTILINE)


def _where(file: str, line: str, name: str) -> str:
    shown = Path(file).relative_to(ROOT) if file.startswith(str(ROOT)) else Path(file).name
    return f"{shown}:{line} {name}"


def _stack(dump: str, depth: int = 4) -> str:
    """One thread's block of a faulthandler dump (innermost frame first), as the sampler reports it."""
    own: list[str] = []
    outer = ""
    for frame in _FRAME.finditer(dump):
        if len(own) >= depth:
            break
        file = frame["file"]
        if file.startswith(OWN):
            own.append(_where(file, frame["line"], frame["name"]))
        elif not own and not outer:
            outer = _where(file, frame["line"], frame["name"])
    head = f"[{outer}] " if outer else ""
    return head + " <- ".join(own) if own else head or "(idle in Qt)"


class Sampler:
    def __init__(self, interval: float = 0.001) -> None:
        main = threading.main_thread().ident or 0
        self._header = b"Thread 0x%0*x " % (2 * struct.calcsize("L"), main)  # faulthandler's thread line
        self._interval = interval
        self._times: list[float] = []
        self._stacks: list[int] = []  # per sample, an index into _blocks
        self._blocks: list[bytes] = []  # each distinct block of the GUI thread's dump, once
        self._seen: dict[bytes, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        for kept in (self._times, self._stacks, self._blocks):
            kept.clear()
        self._seen.clear()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gui-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        # only floats, ints and bytes are made here: none is tracked by the garbage collector, so no
        # collection starts on this thread (it would run the GUI's finalizers here)
        fd = os.memfd_create("gui-sampler")
        try:
            while not self._stop.is_set():
                os.lseek(fd, 0, os.SEEK_SET)
                faulthandler.dump_traceback(fd, all_threads=True)
                dump = os.pread(fd, os.lseek(fd, 0, os.SEEK_CUR), 0)
                begin = dump.find(self._header)
                block = dump[begin:dump.find(b"\n\n", begin)] if begin >= 0 else b""
                index = self._seen.get(block)
                if index is None:
                    index = self._seen[block] = len(self._blocks)
                    self._blocks.append(block)
                self._times.append(time.perf_counter())
                self._stacks.append(index)
                time.sleep(self._interval)
        finally:
            os.close(fd)

    def report(self, start: float, end: float, top: int = 6) -> list[str]:
        stacks = [_stack(block.decode("utf-8", "replace")) for block in self._blocks]
        inside = Counter(stacks[i] for t, i in zip(self._times, self._stacks, strict=True) if start <= t <= end)
        total = sum(inside.values()) or 1
        return [f"    {n * 100 // total:3d}% {stack}" for stack, n in inside.most_common(top)]


def timed_application(argv: list[str]) -> tuple[object, list[tuple[float, float, str]]]:
    """A QApplication whose outermost ``notify`` calls are timed: (start, seconds, "Event on Class 'name'").

    What the Python sampler cannot see (Qt painting, layout, a queued call's slot) shows here by the
    event and the object that received it.
    """
    from PySide6.QtWidgets import QApplication
    from shiboken6 import isValid

    def named(receiver: object) -> str:  # the receiver may be gone once it is handled (a DeferredDelete)
        return repr(getattr(receiver, "objectName", lambda: "")()) if isValid(receiver) else "(deleted)"

    spans: list[tuple[float, float, str]] = []
    depth = [0]

    class Timed(QApplication):
        def notify(self, receiver: object, event: object) -> bool:  # type: ignore[override]
            if depth[0]:  # an event inside an outer one (a widget's Paint inside the window's UpdateRequest)
                start = time.perf_counter()
                try:
                    return super().notify(receiver, event)  # type: ignore[arg-type]
                finally:
                    took = time.perf_counter() - start
                    if took > 0.002:
                        parent = getattr(receiver, "parent", lambda: None)() if isValid(receiver) else None
                        owner = f" of {type(parent).__name__}" if parent is not None else ""
                        what = f"  inside: {event.type().name} on {type(receiver).__name__} {named(receiver)}{owner}"  # type: ignore[attr-defined]
                        spans.append((start, took, what))
            depth[0] += 1
            start = time.perf_counter()
            try:
                return super().notify(receiver, event)  # type: ignore[arg-type]
            finally:
                depth[0] -= 1
                took = time.perf_counter() - start
                if took > 0.004:
                    spans.append((start, took, f"{event.type().name} on {type(receiver).__name__} {named(receiver)}"))  # type: ignore[attr-defined]

    return Timed(argv), spans


def slow_events(spans: list[tuple[float, float, str]], start: float, end: float, top: int = 12) -> list[str]:
    inside = sorted((s for s in spans if start - 0.5 <= s[0] <= end), key=lambda s: -s[1])
    return [f"    {took * 1000:6.1f} ms  {what}" for _t, took, what in inside[:top]]
