"""Where the GUI thread spends a stall: a sampling profiler for bench/gui_scale.py ``--profile``.

A daemon thread takes the GUI thread's Python stack every millisecond (``sys._current_frames``)
while an action runs. Afterwards the samples that fall inside the action's worst heartbeat gap are
grouped by their innermost frames of the project (``app/``, ``services/``, ``ui/``), so a stall
reads as "412 samples in ui/panels/x.py:120 _on_loaded <- ...". C++ time (Qt layout, painting)
shows as the Python frame that called into Qt.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
OWN = tuple(str(ROOT / d) for d in ("app", "services", "ui"))


def _stack(frame: FrameType | None, depth: int = 4) -> str:
    own: list[str] = []
    outer = ""
    while frame is not None and len(own) < depth:
        code = frame.f_code
        where = f"{Path(code.co_filename).relative_to(ROOT) if code.co_filename.startswith(str(ROOT)) else Path(code.co_filename).name}:{frame.f_lineno} {code.co_name}"
        if code.co_filename.startswith(OWN):
            own.append(where)
        elif not own and not outer:
            outer = where
        frame = frame.f_back
    head = f"[{outer}] " if outer else ""
    return head + " <- ".join(own) if own else head or "(idle in Qt)"


class Sampler:
    def __init__(self, interval: float = 0.001) -> None:
        self._main = threading.main_thread().ident
        self._interval = interval
        self._samples: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._samples.clear()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gui-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            # no collection inside sys._current_frames: one it triggers holds the interpreter's thread list
            # lock, and freeing a thread-local object there takes that lock again (CPython 3.11): the
            # sampler hung holding the GIL and the run with it (a sync's garbage held anyio's thread-locals)
            collecting = gc.isenabled()
            gc.disable()
            try:
                frame = sys._current_frames().get(self._main)
            finally:
                if collecting:
                    gc.enable()
            self._samples.append((time.perf_counter(), _stack(frame)))
            time.sleep(self._interval)

    def report(self, start: float, end: float, top: int = 6) -> list[str]:
        inside = Counter(s for t, s in self._samples if start <= t <= end)
        total = sum(inside.values()) or 1
        return [f"    {n * 100 // total:3d}% {stack}" for stack, n in inside.most_common(top)]


def timed_application(argv: list[str]) -> tuple[object, list[tuple[float, float, str]]]:
    """A QApplication whose outermost ``notify`` calls are timed: (start, seconds, "Event on Class 'name'").

    What the Python sampler cannot see (Qt painting, layout, a queued call's slot) shows here by the
    event and the object that received it.
    """
    from PySide6.QtWidgets import QApplication

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
                        name = getattr(receiver, "objectName", lambda: "")()
                        parent = getattr(receiver, "parent", lambda: None)()
                        owner = f" of {type(parent).__name__}" if parent is not None else ""
                        what = f"  inside: {event.type().name} on {type(receiver).__name__} {name!r}{owner}"  # type: ignore[attr-defined]
                        spans.append((start, took, what))
            depth[0] += 1
            start = time.perf_counter()
            try:
                return super().notify(receiver, event)  # type: ignore[arg-type]
            finally:
                depth[0] -= 1
                took = time.perf_counter() - start
                if took > 0.004:
                    name = getattr(receiver, "objectName", lambda: "")()
                    spans.append((start, took, f"{event.type().name} on {type(receiver).__name__} {name!r}"))  # type: ignore[attr-defined]

    return Timed(argv), spans


def slow_events(spans: list[tuple[float, float, str]], start: float, end: float, top: int = 12) -> list[str]:
    inside = sorted((s for s in spans if start - 0.5 <= s[0] <= end), key=lambda s: -s[1])
    return [f"    {took * 1000:6.1f} ms  {what}" for _t, took, what in inside[:top]]
