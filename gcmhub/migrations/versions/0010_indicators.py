"""Indicators: areas, datasets, indicator definitions, the series store, firm-level remittance
prices (the World Bank RPW layout), SDG 10.7.2 answers and SDG 10.7.1 recruitment-cost results.

Why: issue 8 (migration data and indicators). Values are double precision on both databases
(gcmhub/indicators/models.py says why not NUMERIC). Datasets own their rows (ON DELETE CASCADE),
so replacing a dataset is one delete and one bulk insert.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ind_areas",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("m49", sa.Integer(), nullable=True),
        sa.Column("iso2", sa.String(length=2), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("un_region", sa.String(length=100), nullable=True),
        sa.Column("un_subregion", sa.String(length=100), nullable=True),
        sa.Column("un_intermediate", sa.String(length=100), nullable=True),
        sa.Column("wb_region", sa.String(length=100), nullable=True),
        sa.Column("wb_income_group", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_ind_areas")),
    )
    op.create_index(op.f("ix_ind_areas_m49"), "ind_areas", ["m49"], unique=False)
    op.create_table(
        "ind_datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(length=200), nullable=False),
        sa.Column("attribution", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ind_datasets")),
        sa.UniqueConstraint("name", name=op.f("uq_ind_datasets_name")),
    )
    op.create_table(
        "ind_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_count", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ind_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_ind_indicators_code")),
    )
    op.create_table(
        "ind_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("m49", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=4), nullable=False),
        sa.Column("age", sa.String(length=16), nullable=False),
        sa.Column("counterpart", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("flag", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["ind_datasets.id"],
            name=op.f("fk_ind_observations_dataset_id_ind_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["ind_indicators.id"],
            name=op.f("fk_ind_observations_indicator_id_ind_indicators"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ind_observations")),
    )
    op.create_index(
        "ix_ind_observations_counterpart",
        "ind_observations",
        ["indicator_id", "counterpart", "year"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ind_observations_dataset_id"), "ind_observations", ["dataset_id"], unique=False
    )
    op.create_index(
        "ix_ind_observations_series",
        "ind_observations",
        ["indicator_id", "area", "year"],
        unique=False,
    )
    op.create_table(
        "ind_rpw_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("source_code", sa.String(length=16), nullable=False),
        sa.Column("dest_code", sa.String(length=16), nullable=False),
        sa.Column("firm", sa.String(length=200), nullable=False),
        sa.Column("firm_type", sa.String(length=60), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("speed", sa.String(length=60), nullable=True),
        sa.Column("speed_days", sa.Integer(), nullable=True),
        sa.Column("transparent", sa.Boolean(), nullable=True),
        sa.Column("accessible", sa.Boolean(), nullable=True),
        sa.Column("cc1_amount", sa.Float(), nullable=False),
        sa.Column("cc1_fee", sa.Float(), nullable=False),
        sa.Column("cc1_fx_margin", sa.Float(), nullable=False),
        sa.Column("cc1_total_cost", sa.Float(), nullable=False),
        sa.Column("cc2_amount", sa.Float(), nullable=True),
        sa.Column("cc2_fee", sa.Float(), nullable=True),
        sa.Column("cc2_fx_margin", sa.Float(), nullable=True),
        sa.Column("cc2_total_cost", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["ind_datasets.id"],
            name=op.f("fk_ind_rpw_prices_dataset_id_ind_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ind_rpw_prices")),
    )
    op.create_index(
        "ix_ind_rpw_prices_corridor",
        "ind_rpw_prices",
        ["period", "source_code", "dest_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ind_rpw_prices_dataset_id"), "ind_rpw_prices", ["dataset_id"], unique=False
    )
    op.create_table(
        "ind_sdg1071_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("counterpart", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=4), nullable=False),
        sa.Column("survey", sa.String(length=300), nullable=False),
        sa.Column("months", sa.Float(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["ind_datasets.id"],
            name=op.f("fk_ind_sdg1071_results_dataset_id_ind_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ind_sdg1071_results")),
    )
    op.create_index(
        op.f("ix_ind_sdg1071_results_area"), "ind_sdg1071_results", ["area"], unique=False
    )
    op.create_index(
        op.f("ix_ind_sdg1071_results_dataset_id"),
        "ind_sdg1071_results",
        ["dataset_id"],
        unique=False,
    )
    op.create_table(
        "ind_sdg1072_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("domain", sa.Integer(), nullable=False),
        sa.Column("subcategory", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["ind_datasets.id"],
            name=op.f("fk_ind_sdg1072_answers_dataset_id_ind_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ind_sdg1072_answers")),
        sa.UniqueConstraint("area", "year", "domain", "subcategory", name="uq_ind_sdg1072_answers"),
    )
    op.create_index(
        op.f("ix_ind_sdg1072_answers_dataset_id"),
        "ind_sdg1072_answers",
        ["dataset_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ind_sdg1072_answers_dataset_id"), table_name="ind_sdg1072_answers")
    op.drop_table("ind_sdg1072_answers")
    op.drop_index(op.f("ix_ind_sdg1071_results_dataset_id"), table_name="ind_sdg1071_results")
    op.drop_index(op.f("ix_ind_sdg1071_results_area"), table_name="ind_sdg1071_results")
    op.drop_table("ind_sdg1071_results")
    op.drop_index(op.f("ix_ind_rpw_prices_dataset_id"), table_name="ind_rpw_prices")
    op.drop_index("ix_ind_rpw_prices_corridor", table_name="ind_rpw_prices")
    op.drop_table("ind_rpw_prices")
    op.drop_index("ix_ind_observations_series", table_name="ind_observations")
    op.drop_index(op.f("ix_ind_observations_dataset_id"), table_name="ind_observations")
    op.drop_index("ix_ind_observations_counterpart", table_name="ind_observations")
    op.drop_table("ind_observations")
    op.drop_table("ind_indicators")
    op.drop_table("ind_datasets")
    op.drop_index(op.f("ix_ind_areas_m49"), table_name="ind_areas")
    op.drop_table("ind_areas")
