"""The runtime's blank app: the base "New…" starts from when no template is chosen."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

BLANK_PACKAGE = Path(str(resources.files("resources.runtime"))) / "blank"
