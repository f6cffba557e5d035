"""Cache text embeddings.

Why: semantic search embeds every knowledge item with a neural model, which costs far more
than parsing the file. Vectors are kept per (model, sha256 of the exact text embedded) as
float16 bytes, so re-ingesting unchanged text, rebuilding the vector index or identical
texts in several items never run the model again, and a new model starts its own rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model", "text_hash", name=op.f("pk_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("embeddings")
