"""payments: full-text index for the ledger search, a covering index for per-template stats

Revision ID: 0410_payments_search
Revises: 0400_payments
Create Date: 2026-12-01

Searching ``%obj_4242%`` walked ``created_at`` with a row lookup per transaction (1M at a
studio); ``payment_transactions_fts`` (id, provider id, description; external content keyed by
the table's rowid) finds the matches directly and triggers keep it in step in the same
transaction as every write. ``(template_id, created_at, status)`` answers a template's recent
sales and its last sale from the index alone.
"""

from __future__ import annotations

from alembic import op

from services.db import fulltext
from services.db.backend import is_sqlite

revision = "0410_payments_search"
down_revision = "0400_payments"
branch_labels = None
depends_on = None

COLUMNS = "id, provider_id, description"
NEW = "new.rowid, new.id, new.provider_id, new.description"
OLD = "'delete', old.rowid, old.id, old.provider_id, old.description"


def upgrade() -> None:
    if not is_sqlite(op.get_bind()):
        fulltext.create_postgresql(fulltext.PAYMENTS, op.execute)
    else:
        _create_fts5()
    op.drop_index("ix_payment_transactions_template_created", table_name="payment_transactions")
    op.create_index("ix_payment_transactions_template_created_status", "payment_transactions",
                    ["template_id", "created_at", "status"])


def _create_fts5() -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE payment_transactions_fts USING fts5({COLUMNS}, content='payment_transactions', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.execute(
        "CREATE TRIGGER payment_transactions_fts_ai AFTER INSERT ON payment_transactions BEGIN "
        f"INSERT INTO payment_transactions_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER payment_transactions_fts_ad AFTER DELETE ON payment_transactions BEGIN "
        f"INSERT INTO payment_transactions_fts(payment_transactions_fts, rowid, {COLUMNS}) VALUES ({OLD}); END"
    )
    op.execute(
        "CREATE TRIGGER payment_transactions_fts_au AFTER UPDATE OF id, provider_id, description "
        "ON payment_transactions BEGIN "
        f"INSERT INTO payment_transactions_fts(payment_transactions_fts, rowid, {COLUMNS}) VALUES ({OLD}); "
        f"INSERT INTO payment_transactions_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )
    op.execute("INSERT INTO payment_transactions_fts(payment_transactions_fts) VALUES ('rebuild')")


def downgrade() -> None:
    op.drop_index("ix_payment_transactions_template_created_status", table_name="payment_transactions")
    op.create_index("ix_payment_transactions_template_created", "payment_transactions", ["template_id", "created_at"])
    if not is_sqlite(op.get_bind()):
        fulltext.drop_postgresql(fulltext.PAYMENTS, op.execute)
        return
    for trigger in ("payment_transactions_fts_au", "payment_transactions_fts_ad", "payment_transactions_fts_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS payment_transactions_fts")
