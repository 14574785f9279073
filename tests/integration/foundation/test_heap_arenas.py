"""The GUI's cap on the C heap's arenas (services/heap.py): threads started after it share them.

A fresh interpreter each, since an arena made stays for the process's life; six threads allocate
at once (the job pool's size on two cores), and glibc's own report (malloc_info) counts the arenas.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
import ctypes, ctypes.util, sys, threading
from services import heap
if sys.argv[1] == "capped":
    assert heap.limit_arenas()
all_in = threading.Barrier(6)
def work():
    all_in.wait()
    keep = [bytes(2000 + i) for i in range(200)]  # above pymalloc's 512 bytes: malloc's arenas
    all_in.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.open_memstream.restype = ctypes.c_void_p
buf, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = ctypes.c_void_p(libc.open_memstream(ctypes.byref(buf), ctypes.byref(size)))
libc.malloc_info(0, stream)
libc.fclose(stream)
print(buf.value.decode().count("<heap nr="))
"""


def _arenas(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", CHILD, mode], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.child_process
def test_threads_started_after_the_cap_share_at_most_that_many_arenas() -> None:
    from services import heap

    assert _arenas("capped") <= heap.ARENAS


@pytest.mark.child_process
def test_without_the_cap_each_thread_that_allocates_gets_an_arena_of_its_own() -> None:
    assert _arenas("default") > 2  # what the cap saves: the same six threads, glibc's default
