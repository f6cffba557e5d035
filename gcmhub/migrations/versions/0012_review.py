"""Review of implementation: national implementation plans with their versions, voluntary
GCM reviews with a section per objective, the partnerships registry and capacity assessments.

Why: issue 9 (review of progress on the 23 objectives). A plan's commitments as they stand
are rows the dashboard counts; every saved version of a plan is an immutable snapshot
(triggers refuse UPDATE and DELETE, as for the ledger in 0008), so what changed between two
versions stays answerable. Budgets are NUMERIC on PostgreSQL and cents on SQLite (see
gcmhub/fund/models.py: Fixed).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
IMMUTABLE = {
    "review_plan_versions": "plan versions are immutable; save the plan again for a new one",
}


def _amount() -> sa.types.TypeEngine[Decimal]:
    """NUMERIC(18, 2), or on SQLite the count of cents (gcmhub/fund/models.py: Fixed)."""
    return sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "review_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_plans")),
        sa.UniqueConstraint("country", name=op.f("uq_review_plans_country")),
    )
    op.create_table(
        "review_commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("lead_institutions", sa.JSON(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("budget", _amount(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["review_plans.id"],
            name=op.f("fk_review_commitments_plan_id_review_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_commitments")),
        sa.UniqueConstraint("plan_id", "key", name=op.f("uq_review_commitments_plan_id")),
    )
    _index("review_commitments", "plan_id")
    _index("review_commitments", "status")
    op.create_table(
        "review_plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("commitments", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["review_plans.id"],
            name=op.f("fk_review_plan_versions_plan_id_review_plans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_plan_versions")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_review_plan_versions_plan_id")),
    )
    _index("review_plan_versions", "plan_id")
    _index("review_plan_versions", "created_at")
    op.create_table(
        "review_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("period", sa.String(length=9), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_reviews")),
        sa.UniqueConstraint("country", "period", name=op.f("uq_review_reviews_country")),
    )
    _index("review_reviews", "country")
    op.create_table(
        "review_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("objective", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("challenges", sa.Text(), nullable=False),
        sa.Column("good_practices", sa.Text(), nullable=False),
        sa.Column("support_needed", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("practice_item", sa.String(length=200), nullable=True),
        sa.Column("support_request", sa.String(length=40), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review_reviews.id"],
            name=op.f("fk_review_sections_review_id_review_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_sections")),
        sa.UniqueConstraint("review_id", "objective", name=op.f("uq_review_sections_review_id")),
    )
    _index("review_sections", "review_id")
    op.create_table(
        "review_partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("stakeholders", sa.JSON(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_partnerships")),
    )
    _index("review_partnerships", "level")
    _index("review_partnerships", "owner_id")
    op.create_table(
        "review_capacity_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("request_ref", sa.String(length=40), nullable=True),
        sa.Column("project_ref", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_capacity_assessments")),
    )
    _index("review_capacity_assessments", "country")
    _index("review_capacity_assessments", "request_ref")
    _index("review_capacity_assessments", "project_ref")
    _immutable()


def _immutable() -> None:
    """Refuse UPDATE and DELETE of plan versions, as for the ledger (0008)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, message in IMMUTABLE.items():
        if sqlite:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )
        else:
            op.execute(
                f"CREATE FUNCTION {table}_immutable() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_immutable()"
            )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in IMMUTABLE:
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_immutable()")
    for table, columns in (
        ("review_capacity_assessments", ("country", "request_ref", "project_ref")),
        ("review_partnerships", ("level", "owner_id")),
        ("review_sections", ("review_id",)),
        ("review_reviews", ("country",)),
        ("review_plan_versions", ("plan_id", "created_at")),
        ("review_commitments", ("plan_id", "status")),
    ):
        for column in columns:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
    op.drop_table("review_plans")
