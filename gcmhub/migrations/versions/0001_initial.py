"""Create the knowledge platform core.

Why: the first schema. Taxonomy schemes and concepts, sources, knowledge items with their
provenance and tags, and the lexical search index (on SQLite an FTS5 table of stemmed text
with BM25 weights set once, on PostgreSQL a table of weighted tsvectors under a GIN index;
and a facet table so that filters and counts are plain indexed lookups).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schemes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(length=300), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "loaded_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schemes")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("created", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column(
            "ingested_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("uri", name=op.f("uq_sources_uri")),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sources_file_hash"), ["file_hash"], unique=False)

    op.create_table(
        "concepts",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("scheme_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("alt_labels", sa.JSON(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("notation", sa.String(length=64), nullable=True),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
            name=op.f("fk_concepts_scheme_id_schemes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concepts")),
    )
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concepts_scheme_id"), ["scheme_id"], unique=False)

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("implementing_entities", sa.JSON(), nullable=False),
        sa.Column("date_published", sa.Date(), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("licence", sa.String(length=200), nullable=True),
        sa.Column("heading_path", sa.JSON(), nullable=False),
        sa.Column("page_start", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("para_start", sa.Integer(), nullable=True),
        sa.Column("para_end", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_items_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("ref", name=op.f("uq_items_ref")),
        sa.UniqueConstraint("source_id", "key", name=op.f("uq_items_source_id")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_language"), ["language"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_type"), ["type"], unique=False)

    op.create_table(
        "concept_broader",
        sa.Column("concept_id", sa.String(length=200), nullable=False),
        sa.Column("broader_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["broader_id"],
            ["concepts.id"],
            name=op.f("fk_concept_broader_broader_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_concept_broader_concept_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("concept_id", "broader_id", name=op.f("pk_concept_broader")),
    )
    with op.batch_alter_table("concept_broader", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concept_broader_broader_id"), ["broader_id"], unique=False
        )

    op.create_table(
        "item_concepts",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_item_concepts_concept_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_concepts_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "concept_id", name=op.f("pk_item_concepts")),
    )
    with op.batch_alter_table("item_concepts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_concepts_concept_id"), ["concept_id"], unique=False
        )

    op.create_table(
        "items_facets",
        sa.Column("facet", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("facet", "value", "doc_id", name=op.f("pk_items_facets")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_items_facets_doc_id", "items_facets", ["doc_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE items_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        # Titles weigh twice the body; stored once so that ORDER BY rank stays the fast path.
        op.execute("INSERT INTO items_fts(items_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)')")
    elif dialect == "postgresql":
        # The same index as a plain table: the stemmed title (weight A) and body (weight B)
        # in one tsvector built by gcmhub/search/postgres_index.py, under a GIN index.
        op.execute(
            "CREATE TABLE items_fts (doc_id integer PRIMARY KEY, document tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_items_fts_document ON items_fts USING gin (document)")
    else:
        raise NotImplementedError(f"GCM Hub runs on SQLite or PostgreSQL, not {dialect}")


def downgrade() -> None:
    op.execute("DROP TABLE items_fts")
    op.drop_index("ix_items_facets_doc_id", table_name="items_facets")
    op.drop_table("items_facets")
    with op.batch_alter_table("item_concepts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_concepts_concept_id"))

    op.drop_table("item_concepts")
    with op.batch_alter_table("concept_broader", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concept_broader_broader_id"))

    op.drop_table("concept_broader")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_type"))
        batch_op.drop_index(batch_op.f("ix_items_status"))
        batch_op.drop_index(batch_op.f("ix_items_source_id"))
        batch_op.drop_index(batch_op.f("ix_items_language"))

    op.drop_table("items")
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concepts_scheme_id"))

    op.drop_table("concepts")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_file_hash"))

    op.drop_table("sources")
    op.drop_table("schemes")
