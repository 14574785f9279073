"""templates: templates, reviews, FTS5 index kept in sync by triggers (PostgreSQL: a generated tsvector)

Revision ID: 0100_templates
Revises: 0001_foundation
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.db import fulltext
from services.db.backend import is_sqlite

revision = "0100_templates"
down_revision = "0001_foundation"
branch_labels = ("templates",)
depends_on = None

FTS_COLUMNS = "title, description, tags, category"


def upgrade() -> None:
    op.create_table(
        "templates",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("app_name", sa.String(50), nullable=False),
        sa.Column("application_id", sa.String(150), nullable=False),
        sa.Column("min_sdk", sa.Integer(), nullable=False),
        sa.Column("target_sdk", sa.Integer(), nullable=False),
        sa.Column("price_amount", sa.Integer(), nullable=False),
        sa.Column("price_currency", sa.String(3), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("preview", sa.String(200), nullable=True),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("has_package", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("id", name="uq_templates_id"),
    )
    op.create_index("ix_templates_status_title", "templates", ["status", "title", "id"])
    op.create_index("ix_templates_status_category_title", "templates", ["status", "category", "title", "id"])
    op.create_index("ix_templates_updated", "templates", ["updated_at"])
    op.create_table(
        "template_reviews",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "template_id",
            sa.String(63),
            sa.ForeignKey("templates.id", ondelete="CASCADE", onupdate="CASCADE"),
            nullable=False,
        ),
        sa.Column("reviewer", sa.String(80), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("template_id", "reviewer", name="uq_template_reviews_template_reviewer"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )
    op.create_index("ix_template_reviews_template_id", "template_reviews", ["template_id"])
    if not is_sqlite(op.get_bind()):
        fulltext.create_postgresql(fulltext.TEMPLATES, op.execute)
        return
    # External-content FTS5 index over the templates table (rowid = templates.seq).
    op.execute(
        f"CREATE VIRTUAL TABLE templates_fts USING fts5({FTS_COLUMNS}, content='templates', "
        "content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.execute(
        f"CREATE TRIGGER templates_fts_ai AFTER INSERT ON templates BEGIN "
        f"INSERT INTO templates_fts(rowid, {FTS_COLUMNS}) VALUES (new.seq, new.title, new.description, new.tags, new.category); END"
    )
    op.execute(
        f"CREATE TRIGGER templates_fts_ad AFTER DELETE ON templates BEGIN "
        f"INSERT INTO templates_fts(templates_fts, rowid, {FTS_COLUMNS}) "
        "VALUES ('delete', old.seq, old.title, old.description, old.tags, old.category); END"
    )
    op.execute(
        f"CREATE TRIGGER templates_fts_au AFTER UPDATE OF title, description, tags, category ON templates BEGIN "
        f"INSERT INTO templates_fts(templates_fts, rowid, {FTS_COLUMNS}) "
        "VALUES ('delete', old.seq, old.title, old.description, old.tags, old.category); "
        f"INSERT INTO templates_fts(rowid, {FTS_COLUMNS}) VALUES (new.seq, new.title, new.description, new.tags, new.category); END"
    )


def downgrade() -> None:
    if not is_sqlite(op.get_bind()):
        op.drop_table("template_reviews")
        op.drop_table("templates")
        return
    for trigger in ("templates_fts_au", "templates_fts_ad", "templates_fts_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS templates_fts")
    op.drop_table("template_reviews")
    op.drop_table("templates")
