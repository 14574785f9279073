"""httpx without its command-line client.

``import httpx`` also tries ``httpx._main``, its ``httpx`` command, which imports click, rich and
pygments whenever they are installed (here as other tools' dependencies; in the installer
because PyInstaller follows that import): about 100 modules and 6 MB of memory, and ~50 ms of
the first import, for a command TrendForge never runs. httpx falls back without it when that
import fails, so the entry point marks the module absent before anything imports httpx.
"""

from __future__ import annotations

import sys

CLI_MODULE = "httpx._main"


def skip_httpx_command_line() -> None:
    """Make ``import httpx`` skip its CLI module (call before the first import of httpx)."""
    sys.modules.setdefault(CLI_MODULE, None)  # type: ignore[arg-type]  # None: "not importable", by Python's rule
