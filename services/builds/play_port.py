"""What the builds area needs from Google Play publishing (the releases area provides it)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from app.releases.results import PublishResult


class PlayPort(Protocol):
    def highest_version_code(self, application_id: str, track: str | None = None) -> int | None:
        """The highest versionCode Play has for the app (None: Play has none); refuses a ``track`` Play lacks."""

    def publish_build(self, application_id: str, artifact: Path, track: str, version_code: int, *,
                      status: str, user_fraction: float | None, notes: Mapping[str, str],
                      dry_run: bool) -> PublishResult:
        """Upload the artifact and put it on the track (one edit); the result has ``location`` and ``steps``."""
