"""The connection hub: providers, offers, requests, their events, files and engagements;
in-app notifications; fund proposals (a request's funding hand-off opens a draft).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("organization_type", sa.String(length=40), nullable=False),
        sa.Column("un_system", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("support_types", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("available_until", sa.Date(), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_hub_providers_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_providers")),
        sa.UniqueConstraint("ref", name=op.f("uq_hub_providers_ref")),
    )
    with op.batch_alter_table("hub_providers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_providers_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "hub_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("institution", sa.String(length=300), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("contact_consent_at", sa.DateTime(), nullable=True),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=True),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("suggested", sa.JSON(), nullable=False),
        sa.Column("support_types", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("confidentiality", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_since", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("lessons", sa.Text(), nullable=True),
        sa.Column("solution_ref", sa.String(length=40), nullable=True),
        sa.Column("proposal_ref", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_hub_requests_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["users.id"],
            name=op.f("fk_hub_requests_requester_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_requests")),
        sa.UniqueConstraint("ref", name=op.f("uq_hub_requests_ref")),
    )
    with op.batch_alter_table("hub_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_requests_assignee_id"), ["assignee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hub_requests_country"), ["country"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hub_requests_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hub_requests_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hub_requests_requester_id"), ["requester_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hub_requests_state"), ["state"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)

    op.create_table(
        "fund_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["hub_requests.id"],
            name=op.f("fk_fund_proposals_request_id_hub_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_proposals")),
        sa.UniqueConstraint("ref", name=op.f("uq_fund_proposals_ref")),
    )
    with op.batch_alter_table("fund_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_proposals_country"), ["country"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fund_proposals_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "hub_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["hub_requests.id"],
            name=op.f("fk_hub_attachments_request_id_hub_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_attachments")),
    )
    with op.batch_alter_table("hub_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_attachments_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "hub_engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("lessons", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["hub_providers.id"],
            name=op.f("fk_hub_engagements_provider_id_hub_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["hub_requests.id"],
            name=op.f("fk_hub_engagements_request_id_hub_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_engagements")),
        sa.UniqueConstraint(
            "request_id", "provider_id", name=op.f("uq_hub_engagements_request_id")
        ),
    )
    with op.batch_alter_table("hub_engagements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_engagements_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hub_engagements_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "hub_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=300), nullable=True),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("support_types", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["hub_providers.id"],
            name=op.f("fk_hub_offers_provider_id_hub_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_offers")),
        sa.UniqueConstraint("ref", name=op.f("uq_hub_offers_ref")),
    )
    with op.batch_alter_table("hub_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_offers_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "hub_request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["hub_requests.id"],
            name=op.f("fk_hub_request_events_request_id_hub_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_request_events")),
    )
    with op.batch_alter_table("hub_request_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_request_events_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hub_request_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_request_events_request_id"))

    op.drop_table("hub_request_events")
    with op.batch_alter_table("hub_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_offers_provider_id"))

    op.drop_table("hub_offers")
    with op.batch_alter_table("hub_engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_engagements_request_id"))
        batch_op.drop_index(batch_op.f("ix_hub_engagements_provider_id"))

    op.drop_table("hub_engagements")
    with op.batch_alter_table("hub_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_attachments_request_id"))

    op.drop_table("hub_attachments")
    with op.batch_alter_table("fund_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_proposals_request_id"))
        batch_op.drop_index(batch_op.f("ix_fund_proposals_country"))

    op.drop_table("fund_proposals")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_user_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("hub_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_requests_state"))
        batch_op.drop_index(batch_op.f("ix_hub_requests_requester_id"))
        batch_op.drop_index(batch_op.f("ix_hub_requests_due_at"))
        batch_op.drop_index(batch_op.f("ix_hub_requests_created_at"))
        batch_op.drop_index(batch_op.f("ix_hub_requests_country"))
        batch_op.drop_index(batch_op.f("ix_hub_requests_assignee_id"))

    op.drop_table("hub_requests")
    with op.batch_alter_table("hub_providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_providers_owner_id"))

    op.drop_table("hub_providers")
