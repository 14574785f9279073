"""What a deploy reports: where it put the build, and what the target said.

Each target fills its own part (a folder copy its digest, ``adb`` the tail of its output, Play the
edit it made); :meth:`DeployResult.to_json` is what a command prints with ``--json`` and what a
workflow's deploy step records as its output.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.jsonvalue import JsonObject, JsonValue
from app.releases.results import PublishResult


@dataclass(frozen=True)
class DeployResult:
    location: str  # the copied file, "adb device", or the Play track
    dry_run: bool = False
    sha256: str | None = None  # folder: the copy's SHA-256
    output: str | None = None  # adb: the last lines it printed
    play: PublishResult | None = None  # play: the edit

    @property
    def steps(self) -> list[str]:
        """The steps Play went through (none for the other targets)."""
        return list(self.play["steps"]) if self.play else []

    @classmethod
    def of_play(cls, result: PublishResult) -> DeployResult:
        return cls(location=result["location"], dry_run=result["dry_run"], play=result)

    def to_json(self) -> JsonObject:
        p = self.play
        if p is not None:
            edit: JsonObject = {"edit_id": p["edit_id"], "version_code": p["version_code"], "dry_run": p["dry_run"],
                                "steps": list[JsonValue](p["steps"]), "settled": list[JsonValue](p["settled"]),
                                "location": p["location"]}
            if "changes" in p:
                edit["changes"] = list[JsonValue](p["changes"])
            if "already_on_play" in p:
                edit["already_on_play"] = p["already_on_play"]
            return edit
        out: JsonObject = {"location": self.location}
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.output is not None:
            out["output"] = self.output
        if self.dry_run:
            out["dry_run"] = True
        return out
