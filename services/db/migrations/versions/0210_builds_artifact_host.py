"""builds: where an artifact is (the machine that built it) and its sha256

Revision ID: 0210_builds_artifact_host
Revises: 0200_builds
Create Date: 2026-12-01

Artifacts stay on the machine that built them; in a studio sharing one store the record says
which machine that is and the artifact's sha256, so a copy elsewhere can be checked.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0210_builds_artifact_host"
down_revision = "0200_builds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("builds", sa.Column("host", sa.String(120), nullable=True))
    op.add_column("builds", sa.Column("artifact_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("builds") as batch:
        batch.drop_column("artifact_sha256")
        batch.drop_column("host")
