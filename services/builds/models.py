"""Tables of the builds area (migration 0200_builds). No secrets here, ever."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, JSONText, UTCDateTime


class BuildRecord(Base):
    __tablename__ = "builds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), index=True)
    application_id: Mapped[str] = mapped_column(String(255), index=True)
    app_name: Mapped[str] = mapped_column(String(255), default="")
    platform: Mapped[str] = mapped_column(String(8))
    backend: Mapped[str] = mapped_column(String(16))
    version_name: Mapped[str] = mapped_column(String(64))
    version_code: Mapped[int] = mapped_column(Integer)
    key_alias: Mapped[str | None] = mapped_column(String(64))
    deploy_target: Mapped[str | None] = mapped_column(String(1024))
    state: Mapped[str] = mapped_column(String(16), index=True)
    step: Mapped[str] = mapped_column(String(64), default="")
    percent: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_s: Mapped[float | None] = mapped_column(Float)
    artifact_path: Mapped[str | None] = mapped_column(String(2048))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    host: Mapped[str | None] = mapped_column(String(120))  # the machine that builds it (and keeps the artifact)
    artifact_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    log_path: Mapped[str | None] = mapped_column(String(2048))
    retry_of: Mapped[str | None] = mapped_column(String(32))
    options: Mapped[Any] = mapped_column(JSONText(), default=dict)

    __table_args__ = (Index("ix_builds_template_platform", "template_id", "platform"),)


class SigningKeyRecord(Base):
    """A keystore: its file path and certificate fingerprint. Its password is only in the keyring."""

    __tablename__ = "build_keys"

    alias: Mapped[str] = mapped_column(String(64), primary_key=True)
    keystore_path: Mapped[str] = mapped_column(String(2048))
    key_alias: Mapped[str] = mapped_column(String(128))
    fingerprint_sha256: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VersionCodeRecord(Base):
    """The highest versionCode handed out per application id (so codes only ever go up)."""

    __tablename__ = "build_version_codes"

    application_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    last_code: Mapped[int] = mapped_column(Integer)


class DeploymentRecord(Base):
    __tablename__ = "build_deployments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    build_id: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(1024))
    ok: Mapped[bool] = mapped_column(Boolean)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    location: Mapped[str] = mapped_column(String(2048), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
