"""Events of the builds area (never carrying a secret)."""

from __future__ import annotations

import dataclasses

from app.events import Event, event_type


@event_type("build.queued")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildQueued(Event):
    build_id: str = ""
    template_id: str = ""
    platform: str = ""
    version_name: str = ""
    version_code: int = 0
    retry_of: str | None = None


@event_type("build.started")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildStarted(Event):
    build_id: str = ""
    template_id: str = ""
    backend: str = ""


@event_type("build.progressed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildProgressed(Event):
    """A step change (not every log line)."""

    build_id: str = ""
    step: str = ""
    percent: float = 0.0
    state: str = ""


@event_type("build.succeeded")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildSucceeded(Event):
    """The artifact was built (state ``built``); signing follows."""

    build_id: str = ""
    template_id: str = ""
    artifact: str = ""


@event_type("build.signed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildSigned(Event):
    build_id: str = ""
    template_id: str = ""
    artifact: str = ""
    fingerprint: str = ""
    duration_s: float = 0.0


@event_type("build.failed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildFailed(Event):
    build_id: str = ""
    template_id: str = ""
    step: str = ""
    error: str = ""


@event_type("build.cancelled")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildCancelled(Event):
    build_id: str = ""
    template_id: str = ""


@event_type("build.cancel_requested")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildCancelRequested(Event):
    """Another process asked the build's owner to cancel it; the owner does (``build.cancelled``)."""

    build_id: str = ""
    template_id: str = ""


@event_type("build.deployed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildDeployed(Event):
    build_id: str = ""
    target: str = ""
    location: str = ""
    dry_run: bool = False


@event_type("build.deploy_failed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class BuildDeployFailed(Event):
    build_id: str = ""
    target: str = ""
    error: str = ""


@event_type("key.exported")
@dataclasses.dataclass(frozen=True, kw_only=True)
class KeyExported(Event):
    """A keystore was copied out as a backup (its password stays in the keyring)."""

    alias: str = ""
    fingerprint: str = ""


@event_type("key.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class KeyCreated(Event):
    alias: str = ""
    fingerprint: str = ""
    imported: bool = False
