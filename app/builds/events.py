"""Events of the builds area (never carrying a secret)."""

from __future__ import annotations

from app.events import Event, event_dataclass, event_type


@event_type("build.queued")
@event_dataclass
class BuildQueued(Event):
    build_id: str = ""
    template_id: str = ""
    platform: str = ""
    version_name: str = ""
    version_code: int = 0
    retry_of: str | None = None


@event_type("build.started")
@event_dataclass
class BuildStarted(Event):
    build_id: str = ""
    template_id: str = ""
    backend: str = ""


@event_type("build.progressed")
@event_dataclass
class BuildProgressed(Event):
    """A step change (not every log line)."""

    build_id: str = ""
    step: str = ""
    percent: float = 0.0
    state: str = ""


@event_type("build.succeeded")
@event_dataclass
class BuildSucceeded(Event):
    """The artifact was built (state ``built``); signing follows."""

    build_id: str = ""
    template_id: str = ""
    artifact: str = ""


@event_type("build.signed")
@event_dataclass
class BuildSigned(Event):
    build_id: str = ""
    template_id: str = ""
    artifact: str = ""
    fingerprint: str = ""
    duration_s: float = 0.0


@event_type("build.failed")
@event_dataclass
class BuildFailed(Event):
    build_id: str = ""
    template_id: str = ""
    step: str = ""
    error: str = ""


@event_type("build.cancelled")
@event_dataclass
class BuildCancelled(Event):
    build_id: str = ""
    template_id: str = ""


@event_type("build.cancel_requested")
@event_dataclass
class BuildCancelRequested(Event):
    """Another process asked the build's owner to cancel it; the owner does (``build.cancelled``)."""

    build_id: str = ""
    template_id: str = ""


@event_type("build.deployed")
@event_dataclass
class BuildDeployed(Event):
    build_id: str = ""
    target: str = ""
    location: str = ""
    dry_run: bool = False


@event_type("build.deploy_failed")
@event_dataclass
class BuildDeployFailed(Event):
    build_id: str = ""
    target: str = ""
    error: str = ""


@event_type("key.exported")
@event_dataclass
class KeyExported(Event):
    """A keystore was copied out as a backup (its password stays in the keyring)."""

    alias: str = ""
    fingerprint: str = ""


@event_type("key.created")
@event_dataclass
class KeyCreated(Event):
    alias: str = ""
    fingerprint: str = ""
    imported: bool = False
