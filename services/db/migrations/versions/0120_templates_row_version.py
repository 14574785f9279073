"""templates: a row version and who made the last change, for several writers on one store

Revision ID: 0120_templates_row_version
Revises: 0110_templates_category_counts
Create Date: 2026-12-01

Two makers editing one template from two machines: the second save would silently overwrite the
first. Every update now checks and bumps ``row_version``; an edit made on an older version is
refused, naming ``changed_by`` (the actor of the change it would overwrite).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0120_templates_row_version"
down_revision = "0110_templates_category_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("templates", sa.Column("row_version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("templates", sa.Column("changed_by", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("templates") as batch:
        batch.drop_column("changed_by")
        batch.drop_column("row_version")
