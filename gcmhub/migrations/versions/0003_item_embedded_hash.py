"""Record which text of an item was embedded.

Why: embedding is the slow step of ingestion, so it runs after the lexical store, in
batches that commit as they go. `embedded_hash` holds the item's content hash at the time
its vector and automatic tags were made; an item whose content hash differs is pending.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("embedded_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_items_embedded_hash"), ["embedded_hash"])


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_embedded_hash"))
        batch_op.drop_column("embedded_hash")
