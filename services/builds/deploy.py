"""Deploy targets: ``folder:DIR``, ``adb``, ``play:TRACK[:STATUS]`` (Android Publisher API v3 edits flow)."""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.errors import ProviderError, ToolError, UserError
from services.builds.packaging import sha256_file
from services.builds.tools import resolve_tool, run_tool_sync

PLAY_STATUSES = ("draft", "completed", "inProgress", "halted")


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
            status = status or "completed"
            if status not in PLAY_STATUSES:
                raise UserError(f"unknown release status {status!r}; use one of: {', '.join(PLAY_STATUSES)}")
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


def deploy_folder(artifact: Path, directory: Path, metadata: dict[str, Any]) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    dest = directory / artifact.name
    shutil.copy2(artifact, dest)
    digest = sha256_file(dest)
    (directory / f"{artifact.name}.sha256").write_text(f"{digest}  {artifact.name}\n", encoding="utf-8")
    meta = {**metadata, "artifact": artifact.name, "sha256": digest}
    (directory / f"{artifact.name}.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {"location": str(dest), "sha256": digest}


def deploy_adb(artifact: Path) -> dict[str, Any]:
    if artifact.suffix != ".apk":
        raise UserError("adb installs APKs only; build with --platform apk")
    resolve_tool("adb")  # a clear error naming the Debian package when absent
    result = run_tool_sync("adb", ["install", "-r", str(artifact)], timeout_ms=300_000)
    if not result.ok or not any("Success" in line for line in result.lines):
        raise ToolError(f"adb install failed: {result.tail()}")
    return {"location": "adb device", "output": result.tail(2)}


class PlayPublisher:
    """The Google Play Android Publisher API v3 edits flow over httpx (one client per deploy)."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 60.0, transport: httpx.BaseTransport | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._client = httpx.Client(
            timeout=timeout, headers={"Authorization": f"Bearer {token}"}, transport=transport
        )

    def close(self) -> None:
        self._client.close()

    def _url(self, package: str, tail: str, upload: bool = False) -> str:
        prefix = "/upload" if upload else ""
        return f"{self._base}{prefix}/androidpublisher/v3/applications/{package}{tail}"

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            resp = self._client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise ProviderError(f"Google Play is unreachable: {exc}", provider="play", transient=True) from exc
        if resp.status_code >= 400:
            try:
                message = resp.json().get("error", {}).get("message", "") or resp.text
            except ValueError:
                message = resp.text
            transient = resp.status_code == 429 or resp.status_code >= 500
            raise ProviderError(
                f"Google Play answered {resp.status_code}: {message[:300]}",
                provider="play", transient=transient, status_code=resp.status_code,
            )
        if not resp.content:
            return {}
        data = resp.json()
        return data if isinstance(data, dict) else {"data": data}

    def publish(
        self, package: str, artifact: Path, track: str, version_code: int, *, status: str = "completed",
        dry_run: bool = False, release_notes: str = "",
    ) -> dict[str, Any]:
        """insert edit -> upload -> set track -> validate -> commit (dry run: validate, then abandon)."""
        edit = self._call("POST", self._url(package, "/edits"), json={})
        edit_id = str(edit["id"])
        steps = ["insert"]
        try:
            kind = "bundles" if artifact.suffix == ".aab" else "apks"
            with artifact.open("rb") as fh:
                uploaded = self._call(
                    "POST", self._url(package, f"/edits/{edit_id}/{kind}", upload=True),
                    params={"uploadType": "media"}, content=fh.read(),
                    headers={"Content-Type": "application/octet-stream"},
                )
            steps.append("upload")
            code = int(uploaded.get("versionCode", version_code))
            release: dict[str, Any] = {"versionCodes": [str(code)], "status": status}
            if release_notes:
                release["releaseNotes"] = [{"language": "en-US", "text": release_notes}]
            self._call("PUT", self._url(package, f"/edits/{edit_id}/tracks/{track}"),
                       json={"track": track, "releases": [release]})
            steps.append("track")
            self._call("POST", self._url(package, f"/edits/{edit_id}:validate"))
            steps.append("validate")
            if dry_run:
                self._call("DELETE", self._url(package, f"/edits/{edit_id}"))
                steps.append("abandon")
                return {"edit_id": edit_id, "version_code": code, "dry_run": True, "steps": steps,
                        "location": f"play:{track} (dry run: validated, not committed)"}
            self._call("POST", self._url(package, f"/edits/{edit_id}:commit"))
            steps.append("commit")
            return {"edit_id": edit_id, "version_code": code, "dry_run": False, "steps": steps,
                    "location": f"play:{track} ({status})", "sha256": uploaded.get("sha256", "")}
        except ProviderError:
            with contextlib.suppress(ProviderError):
                self._call("DELETE", self._url(package, f"/edits/{edit_id}"))
            raise
