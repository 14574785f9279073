"""The runtime's blank app: the base "New…" starts from when no template is chosen."""

from __future__ import annotations

from services.resource_dirs import resource_dir

BLANK_PACKAGE = resource_dir("resources.runtime") / "blank"
