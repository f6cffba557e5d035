"""The database: created and upgraded on first use, WAL and foreign keys on, URL selectable."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from gcmhub import runtime
from gcmhub.db import engine_for, head_revision
from gcmhub.models import Base
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings


def test_first_use_creates_the_database_in_the_data_folder(data_dir: Path) -> None:
    with open_context() as ctx:
        journal = ctx.session.execute(text("PRAGMA journal_mode")).scalar_one()
        foreign_keys = ctx.session.execute(text("PRAGMA foreign_keys")).scalar_one()
    assert (data_dir / "gcmhub.db").exists()
    assert journal == "wal"
    assert foreign_keys == 1
    tables = set(inspect(engine_for(get_settings().url)).get_table_names())
    assert {"schemes", "concepts", "items", "item_concepts", "sources", "items_fts"} <= tables


def test_migrations_from_empty_match_the_models() -> None:
    with open_context():
        pass
    engine = engine_for(get_settings().url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": lambda obj, name, kind, r, o: not str(name).startswith("items_f")
            },
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_database_url_selects_another_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere" / "hub.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{other}")
    runtime.reset()
    with open_context() as ctx:
        assert ctx.session.execute(text("SELECT count(*) FROM schemes")).scalar_one() > 0
    assert other.exists()


def test_db_upgrade_command_reports_the_revision(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("db", "upgrade")
    assert first.code == 0
    assert f"to revision {head_revision()}" in first.out
    again = cli("db", "upgrade")
    assert f"already at revision {head_revision()}" in again.out
