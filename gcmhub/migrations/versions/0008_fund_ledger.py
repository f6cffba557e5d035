"""The start-up fund's ledger: accounts, transactions and their entries; donors, pledges with
their instalments, and deposits.

Why: paragraph 43(b)'s start-up fund receives and passes on money as a UN pass-through fund
does; a double-entry ledger recomputed from its entries is the record. Transactions and
entries are immutable: triggers refuse any UPDATE or DELETE of their rows (corrections are
reversing transactions). Amounts are NUMERIC on PostgreSQL and scaled integers on SQLite
(cents for NUMERIC(18, 2)), which has no exact decimal type (see gcmhub/fund/models.py: Fixed).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
CORRECT = "correct one by a reversing transaction"
IMMUTABLE = {
    "fund_transactions": f"ledger transactions are immutable; {CORRECT}",
    "fund_entries": f"ledger entries are immutable; {CORRECT}",
}


def _fixed(precision: int, scale: int) -> sa.types.TypeEngine[Decimal]:
    """An exact decimal: NUMERIC, or on SQLite an integer count of its smallest unit."""
    return sa.Numeric(precision, scale).with_variant(sa.BigInteger(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fund_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("earmark", sa.String(length=40), nullable=True),
        sa.Column("may_go_negative", sa.Boolean(), nullable=False),
        sa.Column("balance", _fixed(18, 2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_accounts")),
        sa.UniqueConstraint("code", name=op.f("uq_fund_accounts_code")),
    )
    with op.batch_alter_table("fund_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_accounts_earmark"), ["earmark"], unique=False)

    op.create_table(
        "fund_donors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_donors")),
        sa.UniqueConstraint("name", name=op.f("uq_fund_donors_name")),
        sa.UniqueConstraint("ref", name=op.f("uq_fund_donors_ref")),
    )
    op.create_table(
        "fund_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=True),
        sa.Column("reversal_of", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["reversal_of"],
            ["fund_transactions.id"],
            name=op.f("fk_fund_transactions_reversal_of_fund_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_transactions")),
        sa.UniqueConstraint("reversal_of", name=op.f("uq_fund_transactions_reversal_of")),
    )
    with op.batch_alter_table("fund_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_transactions_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_fund_transactions_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fund_transactions_reference"), ["reference"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fund_transactions_value_date"), ["value_date"], unique=False
        )

    op.create_table(
        "fund_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", _fixed(18, 2), nullable=False),
        sa.Column("original_amount", _fixed(18, 4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", _fixed(18, 10), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["fund_accounts.id"],
            name=op.f("fk_fund_entries_account_id_fund_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["fund_transactions.id"],
            name=op.f("fk_fund_entries_transaction_id_fund_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_entries")),
    )
    with op.batch_alter_table("fund_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fund_entries_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fund_entries_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "fund_pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=False),
        sa.Column("amount", _fixed(18, 4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", _fixed(18, 10), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("amount_base", _fixed(18, 2), nullable=False),
        sa.Column("earmark", sa.String(length=40), nullable=True),
        sa.Column("pledged_on", sa.Date(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["donor_id"],
            ["fund_donors.id"],
            name=op.f("fk_fund_pledges_donor_id_fund_donors"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["fund_transactions.id"],
            name=op.f("fk_fund_pledges_transaction_id_fund_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_pledges")),
        sa.UniqueConstraint("ref", name=op.f("uq_fund_pledges_ref")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_fund_pledges_transaction_id")),
    )
    with op.batch_alter_table("fund_pledges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_pledges_donor_id"), ["donor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fund_pledges_earmark"), ["earmark"], unique=False)

    op.create_table(
        "fund_deposits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("amount", _fixed(18, 4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", _fixed(18, 10), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("amount_base", _fixed(18, 2), nullable=False),
        sa.Column("fee_base", _fixed(18, 2), nullable=False),
        sa.Column("applied", _fixed(18, 4), nullable=False),
        sa.Column("deposited_on", sa.Date(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["fund_pledges.id"],
            name=op.f("fk_fund_deposits_pledge_id_fund_pledges"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["fund_transactions.id"],
            name=op.f("fk_fund_deposits_transaction_id_fund_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_deposits")),
        sa.UniqueConstraint("ref", name=op.f("uq_fund_deposits_ref")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_fund_deposits_transaction_id")),
    )
    with op.batch_alter_table("fund_deposits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_deposits_pledge_id"), ["pledge_id"], unique=False)

    op.create_table(
        "fund_pledge_instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("amount", _fixed(18, 4), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["fund_pledges.id"],
            name=op.f("fk_fund_pledge_instalments_pledge_id_fund_pledges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_pledge_instalments")),
    )
    with op.batch_alter_table("fund_pledge_instalments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fund_pledge_instalments_pledge_id"), ["pledge_id"], unique=False
        )

    _immutable()


def _immutable() -> None:
    """Refuse UPDATE and DELETE of ledger transactions and entries, as audit_log does (0005)."""
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
    with op.batch_alter_table("fund_pledge_instalments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_pledge_instalments_pledge_id"))

    op.drop_table("fund_pledge_instalments")
    with op.batch_alter_table("fund_deposits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_deposits_pledge_id"))

    op.drop_table("fund_deposits")
    with op.batch_alter_table("fund_pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_pledges_earmark"))
        batch_op.drop_index(batch_op.f("ix_fund_pledges_donor_id"))

    op.drop_table("fund_pledges")
    with op.batch_alter_table("fund_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_entries_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_fund_entries_account_id"))

    op.drop_table("fund_entries")
    with op.batch_alter_table("fund_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_transactions_value_date"))
        batch_op.drop_index(batch_op.f("ix_fund_transactions_reference"))
        batch_op.drop_index(batch_op.f("ix_fund_transactions_kind"))
        batch_op.drop_index(batch_op.f("ix_fund_transactions_at"))

    op.drop_table("fund_transactions")
    op.drop_table("fund_donors")
    with op.batch_alter_table("fund_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_accounts_earmark"))

    op.drop_table("fund_accounts")
