"""The start-up fund's projects: allocations of money to approved proposals, tranches of
disbursement, project reports, and a call's allocation rules.

Why: issue items 5 and 6 (the allocation engine wired to calls; delivery). A project is an
approved proposal that money was allocated to: its allocation moves cash of a sub-fund into
`allocated:…` in the ledger (still with the Administrative Agent), and each tranche released
moves it on to a participating organization. These tables keep the plan and the reports; the
money itself is only in the ledger (0008).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _amount() -> sa.types.TypeEngine[Decimal]:
    """NUMERIC(18, 2), or on SQLite the count of cents (gcmhub/fund/models.py: Fixed)."""
    return sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")


def _proposal_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["proposal_id"],
        ["fund_proposals.id"],
        name=op.f(f"fk_{table}_proposal_id_fund_proposals"),
        ondelete="RESTRICT",
    )


def _transaction_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["transaction_id"],
        ["fund_transactions.id"],
        name=op.f(f"fk_{table}_transaction_id_fund_transactions"),
        ondelete="RESTRICT",
    )


def upgrade() -> None:
    op.create_table(
        "fund_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("earmark", sa.String(length=40), nullable=True),
        sa.Column("amount", _amount(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _proposal_fk("fund_allocations"),
        _transaction_fk("fund_allocations"),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["fund_calls.id"],
            name=op.f("fk_fund_allocations_call_id_fund_calls"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_allocations")),
    )
    op.create_index(
        op.f("ix_fund_allocations_proposal_id"), "fund_allocations", ["proposal_id"], unique=False
    )
    op.create_table(
        "fund_tranches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=40), nullable=False),
        sa.Column("amount", _amount(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        _proposal_fk("fund_tranches"),
        _transaction_fk("fund_tranches"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_tranches")),
        sa.UniqueConstraint("proposal_id", "number", name=op.f("uq_fund_tranches_proposal_id")),
    )
    op.create_table(
        "fund_project_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("expenditure", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        _proposal_fk("fund_project_reports"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_project_reports")),
        sa.UniqueConstraint(
            "proposal_id", "number", name=op.f("uq_fund_project_reports_proposal_id")
        ),
    )
    with op.batch_alter_table("fund_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fund_calls", schema=None) as batch_op:
        batch_op.drop_column("rules")
    op.drop_table("fund_project_reports")
    op.drop_table("fund_tranches")
    op.drop_index(op.f("ix_fund_allocations_proposal_id"), table_name="fund_allocations")
    op.drop_table("fund_allocations")
