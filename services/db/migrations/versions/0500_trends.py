"""trends: trends, aliases, snapshots, source health

Revision ID: 0500_trends
Revises: 0001_foundation
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0500_trends"
down_revision = "0001_foundation"
branch_labels = ("trends",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trends",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("category", sa.String(120), nullable=False, server_default=""),
        sa.Column("url", sa.Text(), nullable=False, server_default=""),
        sa.Column("sources", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("volume", sa.Float(), nullable=False, server_default="0"),
        sa.Column("score", sa.Float(), nullable=False, server_default="0"),
        sa.Column("tag", sa.String(20), nullable=False, server_default="new"),
        sa.Column("emerging", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("momentum", sa.Text(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("key", name="uq_trends_key"),
    )
    op.create_index("ix_trends_score", "trends", ["archived", "score"])
    op.create_index("ix_trends_tag", "trends", ["tag"])
    op.create_table(
        "trend_aliases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("trend_id", sa.String(32), sa.ForeignKey("trends.id", ondelete="CASCADE"), nullable=False),
        sa.Column("alias", sa.String(300), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("trend_id", "alias", "source", name="uq_trend_aliases_trend_alias_source"),
    )
    op.create_index("ix_trend_aliases_trend", "trend_aliases", ["trend_id"])
    op.create_table(
        "trend_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("trend_id", sa.String(32), sa.ForeignKey("trends.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
    )
    op.create_index("ix_trend_snapshots_trend_time", "trend_snapshots", ["trend_id", "taken_at"])
    op.create_index("ix_trend_snapshots_source_time", "trend_snapshots", ["source", "taken_at"])
    op.create_table(
        "trend_sources",
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("last_success", sa.DateTime(), nullable=True),
        sa.Column("last_attempt", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.Column("last_error_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("backoff_until", sa.DateTime(), nullable=True),
        sa.Column("last_items", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("notes", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("trend_sources")
    op.drop_table("trend_snapshots")
    op.drop_table("trend_aliases")
    op.drop_table("trends")
