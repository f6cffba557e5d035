"""Alembic environment: runs on the connection GCM Hub hands over, or on the configured URL."""

from alembic import context
from sqlalchemy import Connection, create_engine

from gcmhub.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, other: object
) -> bool:
    """Leave the search index tables to their hand-written migrations."""
    return not (kind == "table" and name is not None and name.startswith("items_f"))


def migrate(connection: Connection) -> None:
    """Run the migrations on one connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Run on the connection GCM Hub hands over, or on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        migrate(conn)


run()
