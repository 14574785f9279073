"""events: who did it (the actor: a configured name, default the OS user@host)

Revision ID: 0003_events_actor
Revises: 0002_events_search
Create Date: 2026-12-01

In a studio several people write to one store; every event records the actor of the process that
wrote it. Events written before this revision have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_events_actor"
down_revision = "0002_events_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("actor", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("actor")
