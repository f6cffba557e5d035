"""The database: created and upgraded on first use, URL selectable; SQLite's pragmas."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from gcmhub import runtime
from gcmhub.db import (
    alembic_config,
    current_revision,
    database_url,
    dialect_of,
    engine_for,
    head_revision,
)
from gcmhub.db import upgrade as db_upgrade
from gcmhub.models import Base
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings

POSTGRES = os.environ.get("GCMHUB_TEST_DATABASE") == "postgresql"


@pytest.mark.sqlite_only("the SQLite file in the data folder and its WAL and foreign_keys pragmas")
def test_first_use_creates_the_database_in_the_data_folder(data_dir: Path) -> None:
    with open_context() as ctx:
        journal = ctx.session.execute(text("PRAGMA journal_mode")).scalar_one()
        foreign_keys = ctx.session.execute(text("PRAGMA foreign_keys")).scalar_one()
    assert (data_dir / "gcmhub.db").exists()
    assert journal == "wal"
    assert foreign_keys == 1


def test_first_use_creates_the_schema_and_the_search_index(empty_database: None) -> None:
    engine = engine_for(get_settings().url)
    assert current_revision(engine) is None
    with open_context():
        pass
    tables = set(inspect(engine).get_table_names())
    assert {"schemes", "concepts", "items", "item_concepts", "sources", "items_fts"} <= tables
    assert {"items_facets", "embeddings"} <= tables
    assert current_revision(engine) == head_revision()
    assert engine.dialect.name == ("postgresql" if POSTGRES else "sqlite")


def test_migrations_from_empty_match_the_models(empty_database: None) -> None:
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


def test_migrations_go_down_to_empty_and_up_again(empty_database: None) -> None:
    url = get_settings().url
    assert db_upgrade(url) == (None, head_revision())
    engine = engine_for(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert db_upgrade(url) == (None, head_revision())
    assert {"items", "items_fts", "items_facets"} <= set(inspect(engine).get_table_names())


def test_database_url_selects_another_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere" / "hub.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{other}")
    runtime.reset()
    with open_context() as ctx:
        assert ctx.session.execute(text("SELECT count(*) FROM schemes")).scalar_one() > 0
    assert other.exists()


def test_db_upgrade_command_reports_the_revision(cli, empty_database: None) -> None:  # type: ignore[no-untyped-def]
    first = cli("db", "upgrade")
    assert first.code == 0
    assert f"to revision {head_revision()}" in first.out
    again = cli("db", "upgrade")
    assert f"already at revision {head_revision()}" in again.out


def test_postgresql_urls_get_the_psycopg_driver() -> None:
    assert database_url("postgresql://hub@db/gcmhub") == "postgresql+psycopg://hub@db/gcmhub"
    assert database_url("postgres://hub:pw@db:5432/gcmhub") == (
        "postgresql+psycopg://hub:pw@db:5432/gcmhub"
    )
    assert database_url("postgresql+psycopg://hub@/x?host=/run") == (
        "postgresql+psycopg://hub@/x?host=/run"
    )
    assert database_url("sqlite:////srv/gcmhub.db") == "sqlite:////srv/gcmhub.db"
    assert dialect_of("postgres://hub@db/gcmhub") == "postgresql"
    assert dialect_of("sqlite:///x.db") == "sqlite"


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's advisory lock (GCMHUB_TEST_DATABASE)")
def test_workers_starting_at_once_upgrade_the_schema_once(empty_database: None) -> None:
    url = get_settings().url
    results: list[tuple[str | None, str | None]] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            results.append(db_upgrade(url))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # One upgraded from empty; the others waited for its lock and found the schema current.
    assert sorted(results, key=str) == sorted(
        [(None, head_revision())] + [(head_revision(), head_revision())] * 2, key=str
    )
