"""builds: builds, signing keys, versionCodes, deployments

Revision ID: 0200_builds
Revises: 0001_foundation
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0200_builds"
down_revision = "0001_foundation"
branch_labels = ("builds",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "builds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("application_id", sa.String(255), nullable=False),
        sa.Column("app_name", sa.String(255), nullable=False),
        sa.Column("platform", sa.String(8), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("version_name", sa.String(64), nullable=False),
        sa.Column("version_code", sa.Integer(), nullable=False),
        sa.Column("key_alias", sa.String(64), nullable=True),
        sa.Column("deploy_target", sa.String(1024), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("artifact_path", sa.String(2048), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("log_path", sa.String(2048), nullable=True),
        sa.Column("retry_of", sa.String(32), nullable=True),
        sa.Column("options", sa.Text(), nullable=True),
    )
    op.create_index("ix_builds_template_id", "builds", ["template_id"])
    op.create_index("ix_builds_application_id", "builds", ["application_id"])
    op.create_index("ix_builds_state", "builds", ["state"])
    op.create_index("ix_builds_template_platform", "builds", ["template_id", "platform"])
    op.create_table(
        "build_keys",
        sa.Column("alias", sa.String(64), primary_key=True),
        sa.Column("keystore_path", sa.String(2048), nullable=False),
        sa.Column("key_alias", sa.String(128), nullable=False),
        sa.Column("fingerprint_sha256", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "build_version_codes",
        sa.Column("application_id", sa.String(255), primary_key=True),
        sa.Column("last_code", sa.Integer(), nullable=False),
    )
    op.create_table(
        "build_deployments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("build_id", sa.String(32), nullable=False),
        sa.Column("target", sa.String(1024), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(2048), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_build_deployments_build_id", "build_deployments", ["build_id"])


def downgrade() -> None:
    op.drop_index("ix_build_deployments_build_id", table_name="build_deployments")
    op.drop_table("build_deployments")
    op.drop_table("build_version_codes")
    op.drop_table("build_keys")
    op.drop_index("ix_builds_template_platform", table_name="builds")
    op.drop_index("ix_builds_state", table_name="builds")
    op.drop_index("ix_builds_application_id", table_name="builds")
    op.drop_index("ix_builds_template_id", table_name="builds")
    op.drop_table("builds")
