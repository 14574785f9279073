"""templates: per-status category counts, kept by triggers in the same transaction as each write

Revision ID: 0110_templates_category_counts
Revises: 0100_templates
Create Date: 2026-12-01

The panel asks for its categories (and the list's total) on every open; counting a million
templates per category took 276 ms. ``template_category_counts`` holds the answer, changed by
triggers with every insert, delete and status/category update, so it cannot drift.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.db.backend import is_sqlite

revision = "0110_templates_category_counts"
down_revision = "0100_templates"
branch_labels = None
depends_on = None


def _bump(status: str, category: str, delta: str) -> str:
    return (
        f"INSERT OR IGNORE INTO template_category_counts (status, category, count) VALUES ({status}, {category}, 0); "
        f"UPDATE template_category_counts SET count = count {delta} 1 WHERE status = {status} AND category = {category};"
    )


def upgrade() -> None:
    op.create_table(
        "template_category_counts",
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO template_category_counts (status, category, count) "
        "SELECT status, category, count(*) FROM templates GROUP BY status, category"
    )
    if not is_sqlite(op.get_bind()):
        _create_postgresql_triggers()
        return
    op.execute(f"CREATE TRIGGER template_counts_ai AFTER INSERT ON templates BEGIN "
               f"{_bump('new.status', 'new.category', '+')} END")
    op.execute(f"CREATE TRIGGER template_counts_ad AFTER DELETE ON templates BEGIN "
               f"{_bump('old.status', 'old.category', '-')} END")
    op.execute(f"CREATE TRIGGER template_counts_au AFTER UPDATE OF status, category ON templates BEGIN "
               f"{_bump('old.status', 'old.category', '-')} {_bump('new.status', 'new.category', '+')} END")


def _pg_bump(status: str, category: str, delta: str) -> str:
    return (
        f"INSERT INTO template_category_counts (status, category, count) VALUES ({status}, {category}, 0) "
        "ON CONFLICT DO NOTHING; "
        f"UPDATE template_category_counts SET count = count {delta} 1 WHERE status = {status} AND category = {category};"
    )


def _create_postgresql_triggers() -> None:
    """The same counts on PostgreSQL: one row-level trigger function for insert, delete and update."""
    op.execute(
        "CREATE FUNCTION template_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {_pg_bump('OLD.status', 'OLD.category', '-')} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_pg_bump('NEW.status', 'NEW.category', '+')} END IF; "
        "RETURN NULL; END $$"
    )
    op.execute("CREATE TRIGGER template_counts_aid AFTER INSERT OR DELETE ON templates "
               "FOR EACH ROW EXECUTE FUNCTION template_counts_keep()")
    op.execute("CREATE TRIGGER template_counts_au AFTER UPDATE OF status, category ON templates "
               "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.category IS DISTINCT FROM NEW.category) "
               "EXECUTE FUNCTION template_counts_keep()")


def downgrade() -> None:
    if not is_sqlite(op.get_bind()):
        op.execute("DROP TRIGGER IF EXISTS template_counts_au ON templates")
        op.execute("DROP TRIGGER IF EXISTS template_counts_aid ON templates")
        op.execute("DROP FUNCTION IF EXISTS template_counts_keep()")
        op.drop_table("template_category_counts")
        return
    for trigger in ("template_counts_au", "template_counts_ad", "template_counts_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table("template_category_counts")
