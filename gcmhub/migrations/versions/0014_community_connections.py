"""Community: events, pledges with their progress updates, follows and digests, messages.

Why: issue 10, points 3 to 5. Events and pledges are public and searchable (each is also a
knowledge item); a person follows objectives, areas and organizations and gets a digest by
email; members write to each other through the platform, so no address is ever shown.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "community_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.DateTime(), nullable=False),
        sa.Column("period_to", sa.DateTime(), nullable=False),
        sa.Column("news", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_community_digests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_digests")),
    )
    with op.batch_alter_table("community_digests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_digests_user_id"), ["user_id"], unique=False)

    op.create_table(
        "community_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("organizer", sa.String(length=300), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("modality", sa.String(length=12), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("outcomes", sa.Text(), nullable=False),
        sa.Column("outcomes_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("item_ref", sa.String(length=40), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["community_organizations.id"],
            name=op.f("fk_community_events_organization_id_community_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_events")),
    )
    with op.batch_alter_table("community_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_events_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_events_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_community_events_scope"), ["scope"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_community_events_starts_on"), ["starts_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_community_events_status"), ["status"], unique=False)

    op.create_table(
        "community_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("objective", sa.String(length=60), nullable=True),
        sa.Column("area", sa.String(length=8), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("digest_from", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["community_organizations.id"],
            name=op.f("fk_community_follows_organization_id_community_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_community_follows_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_follows")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_community_follows_user_id")),
    )
    with op.batch_alter_table("community_follows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_follows_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_community_follows_user_id"), ["user_id"], unique=False)

    op.create_table(
        "community_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["community_organizations.id"],
            name=op.f("fk_community_messages_organization_id_community_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_community_messages_recipient_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"],
            ["community_messages.id"],
            name=op.f("fk_community_messages_reply_to_id_community_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["users.id"],
            name=op.f("fk_community_messages_sender_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_messages")),
    )
    with op.batch_alter_table("community_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_messages_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_messages_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_messages_sender_id"), ["sender_id"], unique=False
        )

    op.create_table(
        "community_pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("pledger", sa.String(length=300), nullable=False),
        sa.Column("pledger_kind", sa.String(length=30), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("item_ref", sa.String(length=40), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["community_organizations.id"],
            name=op.f("fk_community_pledges_organization_id_community_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_pledges")),
    )
    with op.batch_alter_table("community_pledges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_pledges_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_community_pledges_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_community_pledges_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_pledges_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_pledges_pledger_kind"), ["pledger_kind"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_community_pledges_status"), ["status"], unique=False)

    op.create_table(
        "community_pledge_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["community_pledges.id"],
            name=op.f("fk_community_pledge_updates_pledge_id_community_pledges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_pledge_updates")),
    )
    with op.batch_alter_table("community_pledge_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_pledge_updates_pledge_id"), ["pledge_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("community_pledge_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_pledge_updates_pledge_id"))

    op.drop_table("community_pledge_updates")
    with op.batch_alter_table("community_pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_pledges_status"))
        batch_op.drop_index(batch_op.f("ix_community_pledges_pledger_kind"))
        batch_op.drop_index(batch_op.f("ix_community_pledges_owner_id"))
        batch_op.drop_index(batch_op.f("ix_community_pledges_organization_id"))
        batch_op.drop_index(batch_op.f("ix_community_pledges_due_on"))
        batch_op.drop_index(batch_op.f("ix_community_pledges_country"))

    op.drop_table("community_pledges")
    with op.batch_alter_table("community_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_messages_sender_id"))
        batch_op.drop_index(batch_op.f("ix_community_messages_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_community_messages_organization_id"))

    op.drop_table("community_messages")
    with op.batch_alter_table("community_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_follows_user_id"))
        batch_op.drop_index(batch_op.f("ix_community_follows_organization_id"))

    op.drop_table("community_follows")
    with op.batch_alter_table("community_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_events_status"))
        batch_op.drop_index(batch_op.f("ix_community_events_starts_on"))
        batch_op.drop_index(batch_op.f("ix_community_events_scope"))
        batch_op.drop_index(batch_op.f("ix_community_events_owner_id"))
        batch_op.drop_index(batch_op.f("ix_community_events_organization_id"))

    op.drop_table("community_events")
    with op.batch_alter_table("community_digests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_digests_user_id"))

    op.drop_table("community_digests")
