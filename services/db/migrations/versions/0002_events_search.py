"""events: filters that serve ORDER BY seq, and a full-text index for payload search

Revision ID: 0002_events_search
Revises: 0001_foundation
Create Date: 2026-12-01

The Events panel lists newest first (``ORDER BY seq DESC LIMIT n``) under a type, source or
correlation filter. ``(type, timestamp)`` cannot deliver rows in ``seq`` order, so a type filter
sorted every matching row; ``(type, seq)`` walks them in order and stops after one page
(``source`` and ``correlation_id`` indexes already end in the rowid, which is ``seq``).

``events_fts`` indexes type, source, id and payload (external content: the text stays in
``events``). It is filled by the event store before a search (``events_fts_progress`` holds the
last seq indexed), not by a trigger: publishing is the hot path and a trigger made it 4x slower.
On PostgreSQL the index is a generated tsvector column (services/db/fulltext.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.db import fulltext
from services.db.backend import is_sqlite

revision = "0002_events_search"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_type_ts", table_name="events")
    op.create_index("ix_events_type_seq", "events", ["type", "seq"])
    if not is_sqlite(op.get_bind()):
        fulltext.create_postgresql(fulltext.EVENTS, op.execute)  # a generated column: nothing to fill later
        return
    op.execute(
        "CREATE VIRTUAL TABLE events_fts USING fts5(type, source, id, payload, content='events', "
        "content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.create_table(
        "events_fts_progress",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO events_fts(rowid, type, source, id, payload) SELECT seq, type, source, id, payload FROM events"
    )
    op.execute("INSERT INTO events_fts_progress (id, last_seq) SELECT 1, coalesce(max(seq), 0) FROM events")


def downgrade() -> None:
    if not is_sqlite(op.get_bind()):
        fulltext.drop_postgresql(fulltext.EVENTS, op.execute)
        op.drop_index("ix_events_type_seq", table_name="events")
        op.create_index("ix_events_type_ts", "events", ["type", "timestamp"])
        return
    op.drop_table("events_fts_progress")
    op.execute("DROP TABLE IF EXISTS events_fts")
    op.drop_index("ix_events_type_seq", table_name="events")
    op.create_index("ix_events_type_ts", "events", ["type", "timestamp"])
