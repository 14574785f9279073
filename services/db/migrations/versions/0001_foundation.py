"""foundation: event log and settings

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-25

Areas add their own tables in branches that start here (``down_revision =
"0001_foundation"`` with a ``branch_labels`` of the area); start-up upgrades to all heads.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_foundation"
down_revision = None
branch_labels = ("foundation",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("type", sa.String(80), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=True),
        sa.Column("causation_id", sa.String(64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.UniqueConstraint("id", name="uq_events_id"),
    )
    op.create_index("ix_events_type_ts", "events", ["type", "timestamp"])
    op.create_index("ix_events_ts", "events", ["timestamp"])
    op.create_index("ix_events_correlation", "events", ["correlation_id"])
    op.create_index("ix_events_source", "events", ["source"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("value", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("events")
