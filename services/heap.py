"""Give the memory that freed objects leave in the C heap back to the operating system.

glibc's malloc keeps freed memory inside its heaps (one arena per thread that allocates, up to
8 per core) for reuse, so a burst of work on the job pool (a sync converting 10,000 objects, a
big query's rows) leaves the process ~10-25 MB larger after every object it made is gone.
``malloc_trim(0)`` hands the free pages of every arena back (``MADV_DONTNEED``); the runtime
calls it on a worker once its pool has been idle a moment (:mod:`services.runtime`). Where the C
library has no ``malloc_trim`` (macOS, Windows, musl) this does nothing.

The GUI also caps the number of arenas (:func:`limit_arenas`): each worker thread that allocates
otherwise gets an arena of its own, and every arena keeps its own free pieces between live
blocks; with the job pool's threads sharing two, the idle window after a sync was ~2.4 MB smaller
(medians of three interleaved runs on the 1M seed). Threads allocating at the same moment then
take turns on an arena's lock, for the microseconds an allocation takes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim  # a ctypes call releases the GIL while it runs
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


ARENAS = 2  # the GUI's cap: its thread and the job pool's workers share these (glibc's default: 8 per core)
_M_ARENA_MAX = -8  # mallopt's parameter number for the cap (malloc.h)


@functools.cache
def _mallopt() -> Callable[[int, int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt


def limit_arenas(count: int = ARENAS) -> bool:
    """Threads started from now on share at most ``count`` heap arenas; True if the C library took it.

    Call it before the threads start (an arena, once made, stays). Where the C library has no
    ``mallopt`` or no such setting (macOS, Windows, musl) this does nothing."""
    mallopt = _mallopt()
    return bool(mallopt(_M_ARENA_MAX, count)) if mallopt is not None else False


def can_give_back() -> bool:
    """This C library can hand free heap pages back on request."""
    return _malloc_trim() is not None


def give_back_free_heap() -> bool:
    """Hand the heap's free pages back to the OS; True if any were (False where it cannot)."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
