"""Builds: states and their allowed transitions, platforms, backends, the build record."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.choice import parse_choice
from app.errors import ConflictError, UserError


class BuildState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    BUILT = "built"
    SIGNED = "signed"
    DEPLOYED = "deployed"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A build ends in one of these (signed is final unless a deploy follows; deployed is final).
# What that means for one build (a finished web build stays built) is decided in app/builds/outcome.py.
FINAL_STATES = frozenset({BuildState.SIGNED, BuildState.DEPLOYED, BuildState.FAILED, BuildState.CANCELLED})
SUCCESS_STATES = frozenset({BuildState.SIGNED, BuildState.DEPLOYED})

TRANSITIONS: dict[BuildState, frozenset[BuildState]] = {
    BuildState.QUEUED: frozenset({BuildState.RUNNING, BuildState.CANCELLED, BuildState.FAILED}),
    BuildState.RUNNING: frozenset({BuildState.BUILT, BuildState.FAILED, BuildState.CANCELLED}),
    # a web bundle is not signed: a built one goes straight to deployed
    BuildState.BUILT: frozenset({BuildState.SIGNED, BuildState.DEPLOYED, BuildState.FAILED, BuildState.CANCELLED}),
    # a signed build may still be deployed (again, to another target); a failed deploy leaves it signed
    BuildState.SIGNED: frozenset({BuildState.DEPLOYED}),
    BuildState.DEPLOYED: frozenset({BuildState.DEPLOYED}),
    BuildState.FAILED: frozenset(),
    BuildState.CANCELLED: frozenset(),
}


def can_transition(current: BuildState, target: BuildState) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: BuildState, target: BuildState) -> None:
    if not can_transition(current, target):
        raise ConflictError(f"a {current.value} build cannot become {target.value}")


class Platform(enum.StrEnum):
    APK = "apk"
    AAB = "aab"
    WEB = "web"

    @classmethod
    def parse(cls, value: str) -> Platform:
        return parse_choice(cls, value, "platform")

    @property
    def extension(self) -> str:
        return {"apk": ".apk", "aab": ".aab", "web": ".zip"}[self.value]


class Backend(enum.StrEnum):
    DIRECT = "direct"
    GRADLE = "gradle"


_ALIAS = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


def check_alias(alias: str) -> str:
    if not _ALIAS.fullmatch(alias):
        raise UserError(
            f"invalid key alias {alias!r}: use 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return alias


@dataclass(frozen=True)
class BuildInfo:
    """A build as the UI and CLI see it (no secrets, ever)."""

    id: str
    template_id: str
    application_id: str
    platform: Platform
    backend: Backend
    version_name: str
    version_code: int
    key_alias: str | None
    deploy_target: str | None
    state: BuildState
    step: str = ""
    percent: float = 0.0
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
    artifact_path: str | None = None
    fingerprint: str | None = None
    error: str | None = None
    log_path: str | None = None
    retry_of: str | None = None
    deployments: list[dict[str, Any]] = field(default_factory=list)
    run_id: str | None = None  # the workflow run that started it (its events' correlation id)
    host: str | None = None  # the machine that built it: the artifact is there
    artifact_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "template_id": self.template_id,
            "application_id": self.application_id,
            "platform": self.platform.value,
            "backend": self.backend.value,
            "version_name": self.version_name,
            "version_code": self.version_code,
            "key_alias": self.key_alias,
            "deploy_target": self.deploy_target,
            "state": self.state.value,
            "step": self.step,
            "percent": round(self.percent, 1),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "artifact_path": self.artifact_path,
            "artifact_sha256": self.artifact_sha256,
            "host": self.host,
            "fingerprint": self.fingerprint,
            "error": self.error,
            "log_path": self.log_path,
            "retry_of": self.retry_of,
            "deployments": list(self.deployments),
            "run_id": self.run_id,
        }


@dataclass(frozen=True)
class KeyInfo:
    alias: str
    fingerprint_sha256: str
    subject: str
    keystore_path: str
    created_at: datetime | None = None
    keyring_entry: str = ""  # the name (never the value) of its password's keyring entry, when known

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "alias": self.alias,
            "fingerprint_sha256": self.fingerprint_sha256,
            "subject": self.subject,
            "keystore_path": self.keystore_path,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }
        if self.keyring_entry:
            out["keyring_entry"] = self.keyring_entry
        return out


KEY_BACKUP_WHY = "apps signed with it can only ever be updated with the same keystore and password"


@dataclass(frozen=True)
class KeyExport:
    """A keystore copied out for a backup; its password stays in the keyring entry named here."""

    alias: str
    path: Path
    fingerprint_sha256: str
    keyring_entry: str

    def to_dict(self) -> dict[str, Any]:
        return {"alias": self.alias, "path": str(self.path), "fingerprint_sha256": self.fingerprint_sha256,
                "keyring_entry": self.keyring_entry}


def normalize_fingerprint(value: str) -> str:
    """'AB:CD:...' or 'abcd...' -> lowercase hex without separators."""
    hexed = re.sub(r"[^0-9a-fA-F]", "", value).lower()
    if len(hexed) != 64:
        raise UserError(f"not a SHA-256 fingerprint: {value!r}")
    return hexed


@dataclass(frozen=True)
class BuildPreview:
    """What a build would do (a dry run without a Google Play target): nothing built, nothing spent."""

    template_id: str
    application_id: str
    platform: Platform
    backend: Backend
    version_name: str
    version_code: int  # the next one, were the build started now
    key_alias: str | None
    deploy_target: str | None
    steps: list[str]

    def describe(self) -> str:
        signed = f", signed with key {self.key_alias!r}" if self.key_alias else ""
        deployed = f", deployed to {self.deploy_target}" if self.deploy_target else ""
        return (f"would build {self.template_id} {self.version_name} ({self.platform.value}, {self.backend.value}) "
                f"as {self.application_id} versionCode {self.version_code}{signed}{deployed}")

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": True, "template_id": self.template_id, "application_id": self.application_id,
                "platform": self.platform.value, "backend": self.backend.value, "version_name": self.version_name,
                "version_code": self.version_code, "key_alias": self.key_alias, "deploy_target": self.deploy_target,
                "steps": list(self.steps), "built": False, "version_code_spent": False}
