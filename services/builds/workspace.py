"""How a build's workspace is named on disk when it is thrown away: renamed to a trash name at once,
deleted later. Recovery at start-up removes trash an exit cut short, without importing the runner."""

from __future__ import annotations

TRASH_PREFIX = ".trash-"
