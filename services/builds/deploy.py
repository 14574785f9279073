"""Deploy targets: ``folder:DIR``, ``adb``, ``play:TRACK[:STATUS]`` (Android Publisher API v3 edits flow)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.builds.deployment import DeployResult
from app.errors import ToolError, UserError
from app.releases.model import ReleaseStatus
from app.remedies import ChoosePlatform
from services.builds.packaging import sha256_file
from services.builds.tools import resolve_tool, run_tool_sync


@dataclass(frozen=True)
class DeployTarget:
    kind: str  # folder | adb | play
    arg: str = ""
    status: str = "completed"

    @classmethod
    def parse(cls, text: str) -> DeployTarget:
        text = text.strip()
        if text == "adb":
            return cls("adb")
        kind, sep, rest = text.partition(":")
        if kind == "folder" and sep and rest:
            return cls("folder", str(Path(rest).expanduser()))
        if kind == "play" and sep and rest:
            track, _, status = rest.partition(":")
            status = ReleaseStatus.parse(status).value if status else ReleaseStatus.COMPLETED.value
            if not track:
                raise UserError("play needs a track, e.g. play:internal")
            return cls("play", track, status)
        raise UserError(f"unknown deploy target {text!r}; use folder:DIR, adb or play:TRACK")

    def __str__(self) -> str:
        if self.kind == "adb":
            return "adb"
        if self.kind == "play":
            return f"play:{self.arg}" + ("" if self.status == "completed" else f":{self.status}")
        return f"{self.kind}:{self.arg}"


def deploy_folder(artifact: Path, directory: Path, metadata: dict[str, str | int]) -> DeployResult:
    directory.mkdir(parents=True, exist_ok=True)
    dest = directory / artifact.name
    shutil.copy2(artifact, dest)
    digest = sha256_file(dest)
    (directory / f"{artifact.name}.sha256").write_text(f"{digest}  {artifact.name}\n", encoding="utf-8")
    meta = {**metadata, "artifact": artifact.name, "sha256": digest}
    (directory / f"{artifact.name}.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return DeployResult(location=str(dest), sha256=digest)


def deploy_adb(artifact: Path) -> DeployResult:
    if artifact.suffix != ".apk":
        raise UserError("adb installs APKs only", remedy=ChoosePlatform("apk"))
    resolve_tool("adb")  # a clear error naming the Debian package when absent
    result = run_tool_sync("adb", ["install", "-r", str(artifact)], timeout_ms=300_000)
    if not result.ok or not any("Success" in line for line in result.lines):
        raise ToolError(f"adb install failed: {result.tail()}")
    return DeployResult(location="adb device", output=result.tail(2))
