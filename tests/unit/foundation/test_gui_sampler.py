"""bench/gui_stalls.py's sampler reads the GUI thread's stack without keeping any of it alive.

A sampler that held the GUI thread's frames kept their locals (the Qt wrappers a slot or a
``notify`` was using) alive after the function returned, and let them go on its own thread: a
profiled run then got wrappers of the wrong type from PySide (``horizontalHeader()`` a QWidget).
"""

from __future__ import annotations

import time
import weakref

from bench.gui_stalls import Sampler


class _Local:
    pass


def _sampled_function() -> weakref.ref[_Local]:
    local = _Local()
    time.sleep(0.003)  # the GIL is free: the sampler takes this frame's stack meanwhile
    return weakref.ref(local)


def test_a_sampled_functions_locals_die_when_it_returns() -> None:
    sampler = Sampler()
    sampler.start()
    try:
        outlived = sum(_sampled_function()() is not None for _ in range(50))
    finally:
        sampler.stop()
    assert outlived == 0


def test_the_samples_name_the_function_the_gui_thread_was_in() -> None:
    sampler = Sampler()
    start = time.perf_counter()
    sampler.start()
    try:
        for _ in range(5):
            _sampled_function()
    finally:
        sampler.stop()
    assert "_sampled_function" in "\n".join(sampler.report(start, time.perf_counter()))
