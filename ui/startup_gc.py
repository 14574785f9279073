"""The cyclic garbage collector paused while the GUI starts, resumed once start-up is complete.

A collection holds the GIL from start to end, and during start-up the imports and the first
reads allocate so many objects that the collector runs often: its full collections took 65-130 ms
each, on whichever thread allocated, and the GUI thread waited for all of it (the longest
start-up stalls). Start-up makes almost no cyclic garbage (a full collection at its end found
under a thousand objects), so nothing is collected until it is complete. Then what start-up
built (modules, classes, the services) is frozen, left out of every later collection, and the
collector resumes: a later full collection walks only what was made since.
"""

from __future__ import annotations

import gc


def pause() -> None:
    """Before the GUI's first import: no automatic collection until :func:`resume`."""
    gc.disable()


def resume() -> None:
    """Start-up is complete (or failed): freeze what it made and collect automatically again."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()
