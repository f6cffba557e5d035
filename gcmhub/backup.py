"""Backups: one archive of the database, made while GCM Hub runs, and restoring it.

An archive is a gzip-compressed tar holding, in this order:

``manifest.json``
    ``format`` ("gcmhub-backup"), ``format_version``, the GCM Hub ``version`` that wrote it,
    the ``database`` kind, its ``schema_revision``, the ``created`` time (UTC), the row
    ``counts`` of every table, and the name, size and SHA-256 of the database file.
``gcmhub.db`` (SQLite)
    a consistent copy made with SQLite's online backup API: it reads one snapshot, so it is
    safe while the web server serves and another connection writes (in WAL mode a reader never
    waits for a writer, and sees only committed transactions).
``gcmhub.pgdump`` (PostgreSQL)
    ``pg_dump --format=custom`` of the database, taken in the same snapshot as the counts.

The vector files under ``$GCMHUB_DATA_DIR/vectors/`` are left out: they are a cache of the
``embeddings`` table, which is in the archive, and restoring rebuilds them from it without
running the model (only texts the table lacks, e.g. after a change of embedder, are
embedded). So an archive is a little smaller than the data folder, and never holds vector
files that disagree with its database.

Restoring checks everything before it touches the database: the manifest, the file's size and
hash, SQLite's ``integrity_check``, the row counts, and that the schema revision is one this
code knows (an archive from a newer GCM Hub is refused). It refuses to replace a database
that holds knowledge unless forced. The copy is prepared next to the database and migrated to
the newest schema there; then it replaces the database in one step: a rename when there is
no database yet, otherwise SQLite's backup API writing into the database in one transaction,
which a running server's connections see at their next transaction (renaming over a database
in WAL mode would leave its open connections on the old file, and a stale ``-wal`` file
could be replayed onto the new one). On PostgreSQL, ``pg_restore --clean --if-exists
--single-transaction`` does the same in one transaction. A refused archive changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from gcmhub import __version__
from gcmhub.db import MIGRATIONS, _sqlite_pragmas, alembic_config, database_url, head_revision
from gcmhub.errors import Conflict, GcmhubError, InvalidInput
from gcmhub.settings import get_settings

FORMAT = "gcmhub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "gcmhub.db"
POSTGRES_FILE = "gcmhub.pgdump"
CHUNK = 1 << 20
# Tables that first use fills by itself (the built-in taxonomy, its cached embeddings): a
# database with rows only there is empty. Schemes a person loaded count as "own schemes".
FILLED_BY_FIRST_USE = frozenset({"schemes", "concepts", "concept_broader", "embeddings"})

Progress = Callable[[int], None]


class BadArchive(InvalidInput):
    """The file is not a GCM Hub backup this code can restore."""


@dataclass
class BackupReport:
    """What a backup wrote."""

    path: str
    database: str
    schema_revision: str
    created: str
    size: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class RestoreReport:
    """What a restore put back."""

    path: str
    database: str
    created: str
    schema_revision: str
    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)
    vectors: int = 0


def default_archive_name(now: datetime | None = None) -> str:
    """Return the file name of a backup made now: gcmhub-backup-YYYYMMDD-HHMMSS.tar.gz."""
    return f"gcmhub-backup-{(now or datetime.now(UTC)):%Y%m%d-%H%M%S}.tar.gz"


def backup_create(path: Path, overwrite: bool = False) -> BackupReport:
    """Write a backup archive of the database in force to `path`; never changes the database.

    The archive is written to `path` + ``.part`` and renamed when complete, so a failed backup
    never leaves a truncated file under the name. An existing file is kept unless `overwrite`.
    """
    url = make_url(database_url(get_settings().url))
    path = path.expanduser()
    if path.is_dir():
        path = path / default_archive_name()
    if path.exists() and not overwrite:
        raise Conflict(f"{path} exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".gcmhub-backup-", dir=path.parent) as work:
        if url.get_backend_name() == "sqlite":
            database, name = "sqlite", SQLITE_FILE
            copy = Path(work) / name
            revision, counts = _sqlite_copy(_sqlite_path(url), copy)
        elif url.get_backend_name() == "postgresql":
            database, name = "postgresql", POSTGRES_FILE
            copy = Path(work) / name
            revision, counts = _postgres_dump(url, copy)
        else:
            raise InvalidInput(f"backups support SQLite and PostgreSQL, not {url.drivername}")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "version": __version__,
            "database": database,
            "schema_revision": revision,
            "created": created,
            "counts": counts,
            "file": name,
            "size": copy.stat().st_size,
            "sha256": _sha256(copy),
            "vectors": "rebuilt from the embeddings table on restore",
        }
        partial = path.with_name(path.name + ".part")
        try:
            _write_archive(partial, manifest, copy)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupReport(str(path), database, revision, created, path.stat().st_size, counts)


def backup_restore(
    path: Path, force: bool = False, progress: Progress | None = None
) -> RestoreReport:
    """Replace the database in force with the one in a backup archive, then migrate it.

    Refuses (changing nothing) a file that is not an intact GCM Hub backup, an archive whose
    schema is newer than this code's, an archive of another kind of database, and (unless
    `force`) a database that already holds knowledge. Rebuilds the vector files afterwards.
    """
    url = make_url(database_url(get_settings().url))
    kind = url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise InvalidInput(f"backups support SQLite and PostgreSQL, not {url.drivername}")
    path = path.expanduser()
    if not path.is_file():
        raise InvalidInput(f"no backup file {path}")
    with _open_archive(path) as archive:
        manifest = _read_manifest(path, archive)
        if manifest["database"] != kind:
            raise BadArchive(
                f"{path} is a backup of a {manifest['database']} database; "
                f"DATABASE_URL names a {kind} one"
            )
        if kind == "sqlite":
            revision = _restore_sqlite(path, archive, manifest, _sqlite_path(url), force)
        else:
            revision = _restore_postgres(path, archive, manifest, url, force)
    vectors = rebuild_vectors(progress)
    return RestoreReport(
        str(path),
        kind,
        manifest["created"],
        manifest["schema_revision"],
        revision,
        dict(manifest["counts"]),
        vectors,
    )


def rebuild_vectors(progress: Progress | None = None) -> int:
    """Rebuild the vector files from the `embeddings` table; return how many vectors they hold.

    Items whose text changed since they were embedded are left to the next embedding run, as
    they would be without a restore. The new files are written beside the old ones and swapped
    in, so a failure leaves the old ones.
    """
    from gcmhub.context import Context
    from gcmhub.db import dispose_all, session_scope
    from gcmhub.knowledge.models import Item
    from gcmhub.knowledge.semantic import (
        BATCH,
        embed_passages,
        forget_vectors,
        item_passage,
    )
    from gcmhub.search.embedder import get_embedder
    from gcmhub.search.vectors import VectorIndex

    settings = get_settings()
    dispose_all()  # connections and caches of this process may describe the old database
    forget_vectors()
    folder = (settings.data_dir / "vectors").resolve()
    fresh = folder.with_name(f".vectors-new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    try:
        index = VectorIndex(fresh, get_embedder().dim, "items", settings.ann_threshold)
        embedded = select(Item.id, Item.title, Item.text).where(
            Item.embedded_hash == Item.content_hash
        )
        last = -1
        while True:  # a batch at a time, by id: the texts of every item need not fit in memory
            with session_scope() as session:
                chunk = session.execute(
                    embedded.where(Item.id > last).order_by(Item.id).limit(BATCH)
                ).all()
                if not chunk:
                    break
                matrix = embed_passages(
                    Context(session), [item_passage(r.title, r.text) for r in chunk]
                )
            index.upsert([r.id for r in chunk], matrix)
            last = chunk[-1].id
            if progress is not None:
                progress(len(chunk))
        count = len(index)
        index.save()
        del index
        old = folder.with_name(f".vectors-old-{os.getpid()}")
        if folder.exists():
            folder.rename(old)
        fresh.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        forget_vectors()
    return count


# -- SQLite ------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise InvalidInput("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database).expanduser().resolve()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA busy_timeout=10000")
    return connection


def _sqlite_copy(source: Path, copy: Path) -> tuple[str, dict[str, int]]:
    """Copy a live SQLite database with the online backup API; return its revision and counts."""
    if not source.is_file():
        raise InvalidInput(f"no database at {source}; nothing to back up")
    with closing(_connect(source)) as live, closing(_connect(copy)) as target:
        live.backup(target)  # one step: one read snapshot, never restarted by writers
        target.execute("PRAGMA journal_mode=DELETE")  # a file complete without a -wal beside it
    with closing(_connect(copy)) as connection:
        _check_integrity(connection, f"the database at {source}", InvalidInput)
        revision = _sqlite_revision(connection)
        if revision is None:
            raise InvalidInput(f"the database at {source} has no schema yet; nothing to back up")
        return revision, _sqlite_counts(connection)


def _check_integrity(connection: sqlite3.Connection, what: str, error: type[GcmhubError]) -> None:
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as problem:
        raise error(f"{what} is not a readable SQLite database ({problem})") from None
    if [tuple(row) for row in rows] != [("ok",)]:
        raise error(f"{what} is damaged: {rows[0][0]}")


def _sqlite_tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    if "alembic_version" not in _sqlite_tables(connection):
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _counted_tables() -> list[str]:
    from gcmhub.models import Base

    return sorted(Base.metadata.tables)


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    present = _sqlite_tables(connection)
    return {
        name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
        for name in _counted_tables()
        if name in present
    }


def _restore_sqlite(
    path: Path, archive: tarfile.TarFile, manifest: dict[str, Any], target: Path, force: bool
) -> str | None:
    target.parent.mkdir(parents=True, exist_ok=True)
    prepared = target.with_name(f".{target.name}.restore-{os.getpid()}")
    try:
        _extract(path, archive, manifest, prepared)
        with closing(_connect(prepared)) as connection:
            _check_integrity(connection, f"the database in {path}", BadArchive)
            if _sqlite_revision(connection) != manifest["schema_revision"]:
                raise BadArchive(f"{path}: the database's schema revision is not the manifest's")
            if _sqlite_counts(connection) != manifest["counts"]:
                raise BadArchive(f"{path}: the database's row counts are not the manifest's")
        if not force:
            _refuse_non_empty(_sqlite_target_counts(target))
        _migrate(prepared)
        with closing(_connect(prepared)) as connection:
            revision = _sqlite_revision(connection)
        _install_sqlite(prepared, target)
        return revision
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            prepared.with_name(prepared.name + suffix).unlink(missing_ok=True)


def _sqlite_target_counts(target: Path) -> dict[str, int]:
    if not target.exists():
        return {}
    if not _readable(target):
        raise Conflict(f"the database at {target} cannot be read; pass --force to replace it")
    with closing(_connect(target)) as connection:
        counts = _sqlite_counts(connection)
        if "schemes" in _sqlite_tables(connection):
            row = connection.execute("SELECT count(*) FROM schemes WHERE NOT builtin").fetchone()
            counts["own schemes"] = int(row[0])
        return counts


def _readable(target: Path) -> bool:
    try:
        with closing(_connect(target)) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def _refuse_non_empty(counts: dict[str, int]) -> None:
    """Refuse to replace a database holding more than first use puts in it by itself."""
    held = [
        f"{name}: {count}"
        for name, count in counts.items()
        if count > 0 and name not in FILLED_BY_FIRST_USE
    ]
    if held:
        raise Conflict(f"the database is not empty ({', '.join(held)}); pass --force to replace it")


def _migrate(prepared: Path) -> None:
    """Upgrade the prepared copy to the newest schema, as first use would, before installing."""
    url = f"sqlite:///{prepared}"
    engine = create_engine(database_url(url), poolclass=NullPool)
    try:
        event.listen(engine, "connect", _sqlite_pragmas)
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    with closing(_connect(prepared)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")


def _install_sqlite(prepared: Path, target: Path) -> None:
    """Put the prepared copy in place of the database in one step."""
    if not target.exists() or not _readable(target):
        for suffix in ("-wal", "-shm"):  # stale files of a removed database must not replay
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(prepared, target)
        _fsync_folder(target.parent)
        return
    with closing(_connect(target)) as live, closing(_connect(prepared)) as source:
        page_size = int(live.execute("PRAGMA page_size").fetchone()[0])
        if int(source.execute("PRAGMA page_size").fetchone()[0]) != page_size:
            source.execute(f"PRAGMA page_size={page_size}")  # WAL cannot change a page size
            source.execute("VACUUM")
        source.backup(live)  # one step: one write transaction on the live database


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


# -- PostgreSQL --------------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq connection URI and an environment carrying the password."""
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run_tool(arguments: list[str], environment: dict[str, str], what: str) -> None:
    if shutil.which(arguments[0]) is None:
        raise InvalidInput(f"{arguments[0]} is not installed (PostgreSQL client tools)")
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise InvalidInput(f"{what}: {lines[0] if lines else f'exit {done.returncode}'}")


def _postgres_counts(connection: Connection) -> dict[str, int]:
    present = set(inspect(connection).get_table_names())
    return {
        name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        for name in _counted_tables()
        if name in present
    }


def _postgres_dump(url: URL, copy: Path) -> tuple[str, dict[str, int]]:
    """Dump the database with pg_dump in the snapshot its revision and counts are read in."""
    uri, environment = _libpq(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            present = set(inspect(connection).get_table_names())
            revision = None
            if "alembic_version" in present:
                revision = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
            if revision is None:
                raise InvalidInput("the database has no schema yet; nothing to back up")
            counts = _postgres_counts(connection)
            _run_tool(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={copy}",
                    f"--dbname={uri}",
                ],
                environment,
                "pg_dump failed",
            )
            connection.rollback()
    finally:
        engine.dispose()
    return str(revision), counts


def _restore_postgres(
    path: Path, archive: tarfile.TarFile, manifest: dict[str, Any], url: URL, force: bool
) -> str | None:
    from gcmhub.db import current_revision, engine_for, upgrade

    uri, environment = _libpq(url)
    with tempfile.TemporaryDirectory(prefix=".gcmhub-restore-") as work:
        dump = Path(work) / POSTGRES_FILE
        _extract(path, archive, manifest, dump)
        try:
            _run_tool(["pg_restore", "--list", str(dump)], environment, "unreadable dump")
        except InvalidInput as problem:
            raise BadArchive(f"{path}: {problem}") from None
        if not force:
            engine = create_engine(url, poolclass=NullPool)
            try:
                with engine.connect() as connection:
                    counts = _postgres_counts(connection)
                    if "schemes" in counts:
                        counts["own schemes"] = int(
                            connection.execute(
                                text("SELECT count(*) FROM schemes WHERE NOT builtin")
                            ).scalar_one()
                        )
            finally:
                engine.dispose()
            _refuse_non_empty(counts)
        _run_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={uri}",
                str(dump),
            ],
            environment,
            "pg_restore failed",
        )
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    return current_revision(engine_for(rendered))


# -- The archive -------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _write_archive(path: Path, manifest: dict[str, Any], database: Path) -> None:
    body = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
    with tarfile.open(path, "w:gz", compresslevel=6) as archive:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mtime = int(datetime.now(UTC).timestamp())
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(body))
        archive.add(database, arcname=manifest["file"], recursive=False)
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, ValueError)


@contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(path, "r:gz")
    except READ_ERRORS as problem:
        raise BadArchive(f"{path} is not a GCM Hub backup ({_reason(problem)})") from None
    with archive:
        yield archive


def _reason(problem: BaseException) -> str:
    return str(problem).splitlines()[0] if str(problem) else type(problem).__name__


def _member(path: Path, archive: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        member = archive.getmember(name)
        handle = archive.extractfile(member) if member.isfile() else None
    except KeyError:
        handle = None
    except READ_ERRORS as problem:
        raise BadArchive(f"{path} is damaged ({_reason(problem)})") from None
    if handle is None:
        raise BadArchive(f"{path} is not a GCM Hub backup (no {name} in it)")
    return handle


def _read_manifest(path: Path, archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        manifest = json.loads(_member(path, archive, MANIFEST).read(CHUNK))
    except READ_ERRORS as problem:
        raise BadArchive(f"{path} is not a GCM Hub backup ({_reason(problem)})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadArchive(f"{path} is not a GCM Hub backup (its manifest is not ours)")
    if not isinstance(manifest.get("format_version"), int):
        raise BadArchive(f"{path} is not a GCM Hub backup (its manifest has no format_version)")
    if manifest["format_version"] > FORMAT_VERSION:
        raise BadArchive(
            f"{path} was written by a newer GCM Hub (backup format {manifest['format_version']}; "
            f"this one reads {FORMAT_VERSION})"
        )
    fields = {
        "database": str,
        "schema_revision": str,
        "created": str,
        "counts": dict,
        "file": str,
        "size": int,
        "sha256": str,
    }
    for name, kind in fields.items():
        if not isinstance(manifest.get(name), kind):
            raise BadArchive(f"{path} is not a GCM Hub backup (its manifest has no valid {name})")
    if manifest["file"] not in (SQLITE_FILE, POSTGRES_FILE):
        raise BadArchive(f"{path} is not a GCM Hub backup (it names a file {manifest['file']!r})")
    revision = manifest["schema_revision"]
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if revision not in known:
        raise BadArchive(
            f"{path} holds schema revision {revision}, newer than this GCM Hub knows "
            f"(newest {head_revision()}); upgrade GCM Hub first"
        )
    return manifest


def _extract(path: Path, archive: tarfile.TarFile, manifest: dict[str, Any], out: Path) -> None:
    """Copy the database file out of the archive, checking its size and hash."""
    source = _member(path, archive, manifest["file"])
    digest = hashlib.sha256()
    size = 0
    with out.open("wb") as handle:
        while True:
            try:
                block = source.read(CHUNK)
            except READ_ERRORS as problem:
                raise BadArchive(f"{path} is damaged ({_reason(problem)})") from None
            if not block:
                break
            digest.update(block)
            size += len(block)
            handle.write(block)
        handle.flush()
        os.fsync(handle.fileno())
    if size != manifest["size"] or digest.hexdigest() != manifest["sha256"]:
        raise BadArchive(f"{path} is damaged (the database file does not match its manifest)")
