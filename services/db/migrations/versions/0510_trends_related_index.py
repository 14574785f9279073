"""trends: each trend's recent series and its candidate terms, for related trends at 100k

Revision ID: 0510_trends_related_index
Revises: 0500_trends
Create Date: 2026-12-01

``related()`` read every trend's history (millions of snapshots, ~1 GB at 100k trends) to score
them all. Now each trend keeps its recent combined series (``trends.recent``) and a few terms
(``trend_terms``: title words and bands of move directions, see app/trends/related_terms.py),
written by the sync in the same transaction as the snapshots; related() looks its candidates up
by term and scores only those.
"""

from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from app.trends.model import HISTORY_POINTS, Point
from app.trends.related_terms import related_terms
from app.trends.series import combined_series
from services.db.backend import dialect_insert

revision = "0510_trends_related_index"
down_revision = "0500_trends"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trends") as batch:
        batch.add_column(sa.Column("recent", sa.Text(), nullable=True))
    op.create_table(
        "trend_terms",
        sa.Column("term", sa.String(64), primary_key=True),
        sa.Column("trend_id", sa.String(32), sa.ForeignKey("trends.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_trend_terms_trend", "trend_terms", ["trend_id"])
    _backfill()


def _backfill() -> None:
    """Existing trends get their series and terms (the same functions the sync uses)."""
    conn = op.get_bind()
    titles: dict[str, str] = {str(r[0]): str(r[1]) for r in conn.exec_driver_sql("SELECT id, title FROM trends")}
    points: dict[str, list[Point]] = defaultdict(list)
    for tid, taken_at, source, volume, rank in conn.exec_driver_sql(
        "SELECT trend_id, taken_at, source, volume, rank FROM trend_snapshots ORDER BY trend_id, taken_at"
    ):
        points[tid].append(Point(taken_at, source, volume, rank))
    recent: list[tuple[str, str]] = []
    terms: list[tuple[str, str]] = []
    for tid, title in titles.items():
        series = combined_series(points.get(tid, [])[-HISTORY_POINTS * 4:])[-HISTORY_POINTS:]
        recent.append((json.dumps(series, separators=(",", ":")), tid))
        terms.extend((term, tid) for term in dict.fromkeys(related_terms(title, series, HISTORY_POINTS)))
    if recent:
        conn.execute(sa.text("UPDATE trends SET recent = :recent WHERE id = :id"),
                     [{"recent": r, "id": i} for r, i in recent])
    if terms:
        table = sa.table("trend_terms", sa.column("term"), sa.column("trend_id"))
        conn.execute(dialect_insert(conn, table).on_conflict_do_nothing(), [{"term": t, "trend_id": i} for t, i in terms])


def downgrade() -> None:
    op.drop_index("ix_trend_terms_trend", table_name="trend_terms")
    op.drop_table("trend_terms")
    with op.batch_alter_table("trends") as batch:
        batch.drop_column("recent")
