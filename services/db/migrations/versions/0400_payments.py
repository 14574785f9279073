"""payments: ledger, refunds, balance transactions, products, sync cursors, provider health, rollups

Revision ID: 0400_payments
Revises: 0001_foundation
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0400_payments"
down_revision = "0001_foundation"
branch_labels = ("payments",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_transactions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_id", sa.String(80), nullable=True),
        sa.Column("charge_id", sa.String(80), nullable=True),
        sa.Column("message_id", sa.String(80), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("refunded_amount", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(64), nullable=True),
        sa.Column("product_id", sa.String(80), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("payment_method", sa.String(80), nullable=True),
        sa.Column("idempotency_key", sa.String(64), nullable=True),
        sa.Column("failure_code", sa.String(64), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=True),
        sa.UniqueConstraint("provider", "provider_id", name="uq_payment_transactions_provider_id"),
        sa.UniqueConstraint("idempotency_key", name="uq_payment_transactions_idempotency_key"),
        sa.CheckConstraint("amount >= 0", name="ck_payment_transactions_amount"),
        sa.CheckConstraint("refunded_amount >= 0 AND refunded_amount <= amount", name="ck_payment_transactions_refund"),
    )
    op.create_index("ix_payment_transactions_message", "payment_transactions", ["provider", "message_id"], unique=True)
    op.create_index("ix_payment_transactions_charge", "payment_transactions", ["provider", "charge_id"])
    op.create_index("ix_payment_transactions_created", "payment_transactions", ["created_at"])
    op.create_index("ix_payment_transactions_provider_created", "payment_transactions", ["provider", "created_at"])
    op.create_index("ix_payment_transactions_status_created", "payment_transactions", ["status", "created_at"])
    op.create_index("ix_payment_transactions_template_created", "payment_transactions", ["template_id", "created_at"])
    op.create_index("ix_payment_transactions_currency_created", "payment_transactions", ["currency", "created_at"])

    op.create_table(
        "payment_refunds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("transaction_id", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_refund_id", sa.String(80), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("provider", "provider_refund_id", name="uq_payment_refunds_provider_id"),
        sa.CheckConstraint("amount > 0", name="ck_payment_refunds_amount"),
    )
    op.create_index("ix_payment_refunds_transaction", "payment_refunds", ["transaction_id"])

    op.create_table(
        "payment_balance_transactions",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("provider_id", sa.String(80), primary_key=True),
        sa.Column("source", sa.String(80), nullable=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("net", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_payment_balance_source", "payment_balance_transactions", ["provider", "source"])

    op.create_table(
        "payment_products",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("product_id", sa.String(80), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("template_id", sa.String(64), nullable=True),
        sa.Column("price_id", sa.String(80), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("meta", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_payment_products_template", "payment_products", ["template_id"])

    op.create_table(
        "payment_sync_cursors",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("resource", sa.String(40), primary_key=True),
        sa.Column("cursor", sa.String(120), nullable=True),
        sa.Column("last_created", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )

    op.create_table(
        "payment_provider_health",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("unhealthy_until", sa.DateTime(), nullable=True),
    )

    op.create_table(
        "payment_daily_totals",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("gross", sa.Integer(), nullable=False),
        sa.Column("fees", sa.Integer(), nullable=False),
        sa.Column("refunds", sa.Integer(), nullable=False),
    )
    op.create_table(
        "payment_monthly_totals",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("template_id", sa.String(64), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("gross", sa.Integer(), nullable=False),
        sa.Column("fees", sa.Integer(), nullable=False),
        sa.Column("refunds", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for name in ("payment_monthly_totals", "payment_daily_totals", "payment_provider_health", "payment_sync_cursors", "payment_products",
                 "payment_balance_transactions", "payment_refunds", "payment_transactions"):
        op.drop_table(name)
