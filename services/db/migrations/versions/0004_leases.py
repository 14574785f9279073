"""leases: who runs a build or a workflow run, renewed by heartbeats, taken over when they stop

Revision ID: 0004_leases
Revises: 0003_events_actor
Create Date: 2026-12-01

A build started on one machine of a studio is owned there; a pid means nothing on another machine.
The owner holds a lease (``expires_at``) and renews it while it works; once it has lapsed another
process may take the work over (recover it), one process only: the takeover is a conditional UPDATE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_leases"
down_revision = "0003_events_actor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("resource", sa.String(80), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("host", sa.String(120), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("renewed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_leases_holder", "leases", ["holder"])


def downgrade() -> None:
    op.drop_table("leases")
