"""Engine, sessions, the declarative base and schema upgrades (Alembic).

SQLite (the default, a file in the data folder) or PostgreSQL (`DATABASE_URL`, driven by
psycopg 3): the same models and migrations serve both; the few places that differ check the
dialect (the lexical index in migration 0001 and gcmhub/search/).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, event, make_url, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from gcmhub.settings import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MIGRATIONS = Path(__file__).parent / "migrations"
UPGRADE_LOCK = 0x6763_6D68_7562  # "gcmhub": the advisory lock that serialises upgrades


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def database_url(url: str) -> str:
    """Return a URL SQLAlchemy can open: PostgreSQL URLs get the psycopg (3) driver.

    `postgresql://…` and `postgres://…` (as hosting services write them) would otherwise ask
    SQLAlchemy for psycopg2, which GCM Hub does not install.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def dialect_of(url: str) -> str:
    """Return the database kind of a URL: "sqlite", "postgresql", …"""
    return make_url(database_url(url)).get_backend_name()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """Return the engine for a URL, creating the SQLite folder when needed."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create_engine(url)
        return engine


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    url = database_url(url)
    engine = create_engine(url, pool_pre_ping=True)
    if dialect_of(url) == "postgresql":
        event.listen(engine, "connect", _postgres_session)
    return engine


def _postgres_session(dbapi_connection: Any, _record: Any) -> None:
    # Timestamps without a time zone (the CURRENT_TIMESTAMP defaults) are UTC, as on SQLite,
    # whatever the server's default time zone.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration pointing at the shipped migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def current_revision(engine: Engine) -> str | None:
    """Return the schema revision the database is at."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """Return the newest shipped schema revision."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(url: str) -> tuple[str | None, str | None]:
    """Upgrade the database to the newest schema; return (before, after) revisions."""
    engine = engine_for(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several web workers may start at once: one upgrades, the others wait for it,
            # then find the schema current (the lock ends with the transaction).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, current_revision(engine)


_upgraded: set[str] = set()
_upgrade_lock = threading.Lock()


def ensure_upgraded(url: str) -> Engine:
    """Upgrade the schema on first use in this process and return the engine."""
    engine = engine_for(url)
    with _upgrade_lock:
        if url not in _upgraded:
            if current_revision(engine) != head_revision():
                upgrade(url)
            _upgraded.add(url)
    return engine


@lru_cache(maxsize=8)
def _sessionmaker(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=ensure_upgraded(url), expire_on_commit=False)


def dispose_all() -> None:
    """Close every engine and forget what was upgraded (tests switch databases)."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()
    _sessionmaker.cache_clear()
    _upgraded.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """Yield a session in a transaction that commits on success and rolls back on error."""
    factory = _sessionmaker(url or get_settings().url)
    with factory() as session, session.begin():
        yield session
