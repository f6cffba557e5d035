"""The start-up fund's calls for proposals and appraisal: calls, reviews, and what a proposal
holds once filled (call, thematic area, amount, budget lines, participating UN entities,
endorsement, the guiding-principle markers, the steering committee's decision).

Why: issue items 3 and 4 (calls and proposals; appraisal). The proposal's new columns are
nullable: a draft opened from a hub request has none of them yet, and the actions (not the
database) require them on submission. Amounts are NUMERIC on PostgreSQL and scaled integers on
SQLite, as in 0008.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _amount() -> sa.types.TypeEngine[Decimal]:
    """NUMERIC(18, 2), or on SQLite the count of cents (gcmhub/fund/models.py: Fixed)."""
    return sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")


def _proposal_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(length=20), nullable=True),
        sa.Column("amount", _amount(), nullable=True),
        sa.Column("budget_lines", sa.JSON(), nullable=True),
        sa.Column("participating", sa.JSON(), nullable=True),
        sa.Column("endorsed", sa.Boolean(), nullable=True),
        sa.Column("gender_marker", sa.Integer(), nullable=True),
        sa.Column("human_rights_marker", sa.Integer(), nullable=True),
        sa.Column("child_marker", sa.Integer(), nullable=True),
        sa.Column("whole_of_government", sa.Boolean(), nullable=True),
        sa.Column("whole_of_society", sa.Boolean(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "fund_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("budget", _amount(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("opens", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("min_un_entities", sa.Integer(), nullable=False),
        sa.Column("endorsement_required", sa.Boolean(), nullable=False),
        sa.Column("rubric", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_calls")),
        sa.UniqueConstraint("ref", name=op.f("uq_fund_calls_ref")),
    )
    op.create_table(
        "fund_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=True),
        sa.Column("conflict", sa.Text(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["fund_proposals.id"],
            name=op.f("fk_fund_reviews_proposal_id_fund_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_fund_reviews_reviewer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_reviews")),
        sa.UniqueConstraint("proposal_id", "reviewer_id", name=op.f("uq_fund_reviews_proposal_id")),
    )
    op.create_index(
        op.f("ix_fund_reviews_proposal_id"), "fund_reviews", ["proposal_id"], unique=False
    )
    with op.batch_alter_table("fund_proposals", schema=None) as batch_op:
        for column in _proposal_columns():
            batch_op.add_column(column)
        batch_op.create_index(batch_op.f("ix_fund_proposals_call_id"), ["call_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_fund_proposals_call_id_fund_calls"),
            "fund_calls",
            ["call_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("fund_proposals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_fund_proposals_call_id_fund_calls"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_fund_proposals_call_id"))
        for column in reversed(_proposal_columns()):
            batch_op.drop_column(column.name)
    op.drop_index(op.f("ix_fund_reviews_proposal_id"), table_name="fund_reviews")
    op.drop_table("fund_reviews")
    op.drop_table("fund_calls")
