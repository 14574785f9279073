"""templates: packages as content-addressed blobs, for machines sharing one store

Revision ID: 0130_template_blobs
Revises: 0120_templates_row_version
Create Date: 2026-12-01

On a shared store (team mode) a template imported on one machine must be buildable on another:
the import also stores the package (a zip, capped as imports are) under its sha256, and
``templates.package_sha256`` names it; another machine unpacks it into its data dir on demand.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0130_template_blobs"
down_revision = "0120_templates_row_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.add_column("templates", sa.Column("package_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("templates") as batch:
        batch.drop_column("package_sha256")
    op.drop_table("template_blobs")
