"""Practice submission and peer review: thematic calls, submissions with their four criteria,
reviews (conflict declaration before the recommendation), and each submission's history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("opens", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_practice_calls_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_calls")),
        sa.UniqueConstraint("ref", name=op.f("uq_practice_calls_ref")),
    )
    with op.batch_alter_table("practice_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practice_calls_deadline"), ["deadline"], unique=False)

    op.create_table(
        "practice_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("principles", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("implementing_entity", sa.String(length=300), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status_completion", sa.String(length=20), nullable=False),
        sa.Column("replicability", sa.Text(), nullable=False),
        sa.Column("innovation", sa.Text(), nullable=False),
        sa.Column("relates_to_objective", sa.Boolean(), nullable=False),
        sa.Column("adheres_to_principles", sa.Boolean(), nullable=False),
        sa.Column("mostly_completed", sa.Boolean(), nullable=False),
        sa.Column("replicable", sa.Boolean(), nullable=False),
        sa.Column("submitter_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("state_since", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("needs_third_reviewer", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("item_ref", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["practice_calls.id"],
            name=op.f("fk_practice_submissions_call_id_practice_calls"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitter_id"],
            ["users.id"],
            name=op.f("fk_practice_submissions_submitter_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_submissions")),
        sa.UniqueConstraint("ref", name=op.f("uq_practice_submissions_ref")),
    )
    with op.batch_alter_table("practice_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_submissions_call_id"), ["call_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_practice_submissions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_practice_submissions_due_at"), ["due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_practice_submissions_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_practice_submissions_submitter_id"), ["submitter_id"], unique=False
        )

    op.create_table(
        "practice_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_to", sa.Integer(), nullable=True),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["practice_submissions.id"],
            name=op.f("fk_practice_events_submission_id_practice_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_events")),
    )
    with op.batch_alter_table("practice_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_events_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "practice_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("un_system", sa.Boolean(), nullable=False),
        sa.Column("added_on_disagreement", sa.Boolean(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("conflict", sa.Text(), nullable=True),
        sa.Column("declared_at", sa.DateTime(), nullable=True),
        sa.Column("recommendation", sa.String(length=10), nullable=True),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_practice_reviews_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["practice_submissions.id"],
            name=op.f("fk_practice_reviews_submission_id_practice_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_reviews")),
        sa.UniqueConstraint(
            "submission_id", "reviewer_id", name=op.f("uq_practice_reviews_submission_id")
        ),
    )
    with op.batch_alter_table("practice_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_reviews_reviewer_id"), ["reviewer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_practice_reviews_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("practice_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_reviews_submission_id"))
        batch_op.drop_index(batch_op.f("ix_practice_reviews_reviewer_id"))

    op.drop_table("practice_reviews")
    with op.batch_alter_table("practice_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_events_submission_id"))

    op.drop_table("practice_events")
    with op.batch_alter_table("practice_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_submissions_submitter_id"))
        batch_op.drop_index(batch_op.f("ix_practice_submissions_state"))
        batch_op.drop_index(batch_op.f("ix_practice_submissions_due_at"))
        batch_op.drop_index(batch_op.f("ix_practice_submissions_created_at"))
        batch_op.drop_index(batch_op.f("ix_practice_submissions_call_id"))

    op.drop_table("practice_submissions")
    with op.batch_alter_table("practice_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_calls_deadline"))

    op.drop_table("practice_calls")
