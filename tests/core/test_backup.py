"""Backups: `gcmhub backup` and `gcmhub restore` round trip, run online, and refuse bad archives."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from gcmhub import runtime
from gcmhub.backup import MANIFEST, POSTGRES_FILE, SQLITE_FILE
from gcmhub.db import alembic_config, engine_for, head_revision
from gcmhub.models import Base
from gcmhub.settings import get_settings

POSTGRES = os.environ.get("GCMHUB_TEST_DATABASE") == "postgresql"
sqlite_only = pytest.mark.skipif(POSTGRES, reason="SQLite files, WAL and pragmas")
SEARCHES = [
    ("remittance costs", "hybrid"),
    ("réduire le coût des envois d'argent", "semantic"),
    ("trata de personas", "hybrid"),
]


def snapshot() -> dict[str, tuple[int, str]]:
    """Return every table's row count and a hash of its rows, in primary-key order."""
    engine = create_engine(get_settings().url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            tables = [t for t in Base.metadata.sorted_tables if t.name in present]
            found = {}
            for table in tables:
                rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
                digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode())
                found[table.name] = (len(rows), digest.hexdigest())
            return found
    finally:
        engine.dispose()


def execute(*statements: str) -> None:
    """Run SQL on the test's database in one transaction, with foreign keys enforced."""
    engine = create_engine(get_settings().url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.execute(text("PRAGMA foreign_keys=ON"))
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    runtime.reset()


def items_hash() -> str:
    """Return a hash of every item's identity and content."""
    engine = create_engine(get_settings().url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT ref, type, title, text, content_hash FROM items ORDER BY ref")
            ).all()
    finally:
        engine.dispose()
    return hashlib.sha256(json.dumps([list(r) for r in rows]).encode()).hexdigest()


def searches(cli) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Return the ids every test search finds, in rank order."""
    found = []
    for query, mode in SEARCHES:
        result = cli("search", query, "--mode", mode, "--limit", "20", "--json")
        assert result.code == 0, result.err
        found.append([hit["id"] for hit in json.loads(result.out)["hits"]])
    return found


def practices(folder: Path) -> Path:
    """Write a small JSON Lines file of practices and return it."""
    path = folder / "practices.jsonl"
    records = [
        {"id": "p1", "title": "Cheaper remittances", "text": "Lowering remittance fees."},
        {"id": "p2", "title": "Trata de personas", "text": "Proteger a las víctimas de trata."},
        {"id": "p3", "title": "Travailleurs migrants", "text": "Protéger les travailleurs."},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def data_files(folder: Path) -> list[str]:
    """Return the names in the data folder that are not SQLite's own side files."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def assert_refused(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    """A refusal: exit 2, one line on standard error naming the problem, nothing on stdout."""
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("gcmhub: error: ")
    for word in words:
        assert word in lines[0]


def rewrite_archive(
    source: Path, target: Path, manifest: dict[str, object] | None = None, db: bytes | None = None
) -> None:
    """Write a copy of an archive with its manifest or database file replaced."""
    with tarfile.open(source, "r:gz") as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    if manifest is not None:
        members[MANIFEST] = json.dumps(manifest).encode()
    if db is not None:
        members[database_file(source)] = db
    with tarfile.open(target, "w:gz") as archive:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))


def database_file(archive_path: Path) -> str:
    """Return the name of the database file in an archive."""
    return str(read_manifest(archive_path)["file"])


def read_manifest(archive_path: Path) -> dict[str, object]:
    with tarfile.open(archive_path, "r:gz") as archive:
        data = archive.extractfile(MANIFEST).read()  # type: ignore[union-attr]
    manifest: dict[str, object] = json.loads(data)
    return manifest


@pytest.fixture
def archive(demo_data: Path, tmp_path: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    """Back up the demo and return the archive."""
    path = tmp_path / "backups" / "demo.tar.gz"
    result = cli("backup", str(path))
    assert result.code == 0, result.err
    return path


def test_backup_and_restore_bring_every_row_back(demo_data: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before, before_items, found = snapshot(), items_hash(), searches(cli)
    assert before["items"][0] == 210 and all(found)
    path = tmp_path / "demo.tar.gz"

    made = cli("backup", str(path), "--json")

    assert made.code == 0, made.err
    report = json.loads(made.out)
    assert report["database"] == ("postgresql" if POSTGRES else "sqlite")
    assert report["schema_revision"] == head_revision()
    assert report["counts"] == {name: count for name, (count, _) in before.items()}
    assert report["path"] == str(path) and path.stat().st_size == report["size"]
    with tarfile.open(path, "r:gz") as archive:  # no vector files: they are a cache
        assert archive.getnames() == [MANIFEST, POSTGRES_FILE if POSTGRES else SQLITE_FILE]

    # Change and delete: new items and vectors, deleted items, an edited title.
    assert cli("ingest", str(practices(tmp_path)), "--json").code == 0
    execute(
        "DELETE FROM items WHERE ref LIKE 'gcm-2%'",
        "UPDATE items SET title = 'Changed' WHERE ref = 'gcm-1'",
    )
    assert snapshot() != before

    restored = cli("restore", str(path), "--force", "--json")

    assert restored.code == 0, restored.err
    report = json.loads(restored.out)
    assert report["revision"] == head_revision()
    assert report["vectors"] == 210
    assert snapshot() == before
    assert items_hash() == before_items
    assert searches(cli) == found
    assert data_files(demo_data) == ["demo", *([] if POSTGRES else ["gcmhub.db"]), "vectors"]


@sqlite_only
def test_restore_onto_a_fresh_data_folder(archive: Path, tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    before = snapshot()
    found = searches(cli)
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("GCMHUB_DATA_DIR", str(elsewhere))
    runtime.reset()

    restored = cli("restore", str(archive))

    assert restored.code == 0, restored.err
    assert "210 item(s)" in restored.out and "210 vector(s) rebuilt" in restored.out
    assert snapshot() == before
    assert searches(cli) == found


@sqlite_only
def test_backup_runs_while_another_connection_writes(demo_data: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before = snapshot()
    database = demo_data / "gcmhub.db"
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock until the end of the test
    holder.execute("UPDATE items SET title = 'UNCOMMITTED' WHERE ref = 'gcm-20'")
    path = tmp_path / "online.tar.gz"
    try:
        started = time.monotonic()
        made = cli("backup", str(path))
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert made.code == 0, made.err
    assert elapsed < 5  # never waited for the writer (the busy timeout is 10 s)
    copy = tmp_path / "copy.db"
    with tarfile.open(path, "r:gz") as archive:
        copy.write_bytes(archive.extractfile(SQLITE_FILE).read())  # type: ignore[union-attr]
    with closing(sqlite3.connect(copy)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        title = connection.execute("SELECT title FROM items WHERE ref = 'gcm-20'").fetchone()
    assert title[0] != "UNCOMMITTED"
    assert snapshot() == before


@sqlite_only
def test_backup_is_one_snapshot_while_writes_commit(demo_data: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    database = demo_data / "gcmhub.db"
    with closing(sqlite3.connect(database)) as connection:
        title = connection.execute("SELECT title FROM items WHERE ref = 'gcm-1'").fetchone()[0]
        sizes = dict(connection.execute("SELECT id, size FROM sources").fetchall())
    stop = threading.Event()
    commits = 0

    def write() -> None:  # each commit lengthens a title and every source's size by one
        nonlocal commits
        with closing(sqlite3.connect(database, timeout=10)) as connection:
            while not stop.is_set():
                with connection:
                    connection.execute("UPDATE items SET title = title || '.' WHERE ref = 'gcm-1'")
                    connection.execute("UPDATE sources SET size = size + 1")
                commits += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        time.sleep(0.05)
        made = cli("backup", str(tmp_path / "busy.tar.gz"))
        time.sleep(0.05)
    finally:
        stop.set()
        writer.join()

    assert made.code == 0, made.err
    copy = tmp_path / "copy.db"
    with tarfile.open(tmp_path / "busy.tar.gz", "r:gz") as archive:
        copy.write_bytes(archive.extractfile(SQLITE_FILE).read())  # type: ignore[union-attr]
    with closing(sqlite3.connect(copy)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = connection.execute("SELECT title FROM items WHERE ref = 'gcm-1'").fetchone()[0]
        copied_sizes = dict(connection.execute("SELECT id, size FROM sources").fetchall())
    dots = len(copied) - len(title)
    assert 0 < dots < commits
    assert {key: size - sizes[key] for key, size in copied_sizes.items()} == dict.fromkeys(
        sizes, dots
    )


@pytest.mark.parametrize(
    "damage",
    ["garbage", "empty", "truncated", "foreign tar", "newer schema", "newer format", "tampered"],
)
def test_a_bad_archive_is_refused_and_changes_nothing(
    damage: str, archive: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / f"{damage.replace(' ', '-')}.tar.gz"
    whole = archive.read_bytes()
    manifest = read_manifest(archive)
    if damage == "garbage":
        bad.write_bytes(os.urandom(4096))
    elif damage == "empty":
        bad.write_bytes(b"")
    elif damage == "truncated":
        bad.write_bytes(whole[: len(whole) // 2])
    elif damage == "foreign tar":
        with tarfile.open(bad, "w:gz") as foreign:
            body = b"SQLite format 3\x00 not really"
            info = tarfile.TarInfo("data.db")
            info.size = len(body)
            foreign.addfile(info, io.BytesIO(body))
    elif damage == "newer schema":
        rewrite_archive(archive, bad, {**manifest, "schema_revision": "9999"})
    elif damage == "newer format":
        rewrite_archive(archive, bad, {**manifest, "format_version": 99})
    elif damage == "tampered":
        with tarfile.open(archive, "r:gz") as original:
            member = original.extractfile(database_file(archive))
            db = bytearray(member.read())  # type: ignore[union-attr]
        db[len(db) // 2] ^= 0xFF
        rewrite_archive(archive, bad, db=bytes(db))
    before = snapshot()
    folder = archive.parent.parent / "gcmhub-data"
    files = data_files(folder) if folder.exists() else []

    result = cli("restore", str(bad), "--force")

    words = {
        "garbage": ["not a GCM Hub backup"],
        "empty": ["not a GCM Hub backup"],
        "truncated": ["damaged"],
        "foreign tar": ["not a GCM Hub backup", "manifest.json"],
        "newer schema": ["9999", "newer", head_revision() or ""],
        "newer format": ["newer GCM Hub"],
        "tampered": ["damaged"],
    }[damage]
    assert_refused(result, str(bad), *words)
    runtime.reset()
    assert snapshot() == before
    assert (data_files(folder) if folder.exists() else []) == files


@sqlite_only
def test_a_damaged_database_inside_a_consistent_archive_is_refused(
    archive: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    with tarfile.open(archive, "r:gz") as original:
        db = bytearray(original.extractfile(SQLITE_FILE).read())  # type: ignore[union-attr]
    db[4096 * 3 : 4096 * 3 + 200] = os.urandom(200)  # a b-tree page, hash made to match
    manifest = read_manifest(archive)
    manifest.update(size=len(db), sha256=hashlib.sha256(db).hexdigest())
    bad = tmp_path / "inconsistent.tar.gz"
    rewrite_archive(archive, bad, manifest, bytes(db))
    before = snapshot()

    result = cli("restore", str(bad), "--force")

    assert_refused(result, "damaged")
    runtime.reset()
    assert snapshot() == before


def test_restore_refuses_a_database_that_holds_knowledge_without_force(archive: Path, cli) -> None:  # type: ignore[no-untyped-def]
    execute("UPDATE items SET title = 'Kept' WHERE ref = 'gcm-1'")
    before = snapshot()

    result = cli("restore", str(archive))

    assert_refused(result, "not empty", "items: 210", "--force")
    runtime.reset()
    assert snapshot() == before


@sqlite_only
def test_restore_onto_a_database_with_only_the_builtin_taxonomy_needs_no_force(
    archive: Path, tmp_path: Path, monkeypatch, cli
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GCMHUB_DATA_DIR", str(tmp_path / "fresh"))
    runtime.reset()
    assert cli("taxonomy", "list").code == 0  # first use: schema and built-in schemes

    assert cli("restore", str(archive)).code == 0
    assert snapshot()["items"][0] == 210


@sqlite_only
def test_an_archive_of_an_older_schema_is_upgraded_after_restoring(
    data_dir: Path, tmp_path: Path, monkeypatch, cli
) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "old" / "gcmhub.db"
    old.parent.mkdir()
    url = f"sqlite:///{old}"
    config = alembic_config(url)
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(
            text(
                "INSERT INTO sources (id, uri, name, format, file_hash, size, options) "
                "VALUES (1, 'file:///x.jsonl', 'x.jsonl', 'jsonl', 'h', 1, '{}')"
            )
        )
    engine_for(url).dispose()
    monkeypatch.setenv("GCMHUB_DATA_DIR", str(old.parent))
    runtime.reset()
    path = tmp_path / "old.tar.gz"
    made = cli("backup", str(path), "--json")
    assert made.code == 0, made.err
    assert json.loads(made.out)["schema_revision"] == "0003"

    monkeypatch.setenv("GCMHUB_DATA_DIR", str(data_dir))
    runtime.reset()
    restored = cli("restore", str(path), "--json")

    assert restored.code == 0, restored.err
    assert json.loads(restored.out)["revision"] == head_revision()
    assert cli("db", "current").out.split("revision ")[1].startswith(f"{head_revision()} ")
    assert snapshot()["sources"][0] == 1


def test_backup_keeps_an_existing_file_unless_forced(archive: Path, cli) -> None:  # type: ignore[no-untyped-def]
    kept = archive.read_bytes()

    refused = cli("backup", str(archive))

    assert_refused(refused, "exists", "--force")
    assert archive.read_bytes() == kept
    assert cli("backup", str(archive), "--force").code == 0
    assert not list(archive.parent.glob("*.part")) and not list(archive.parent.glob(".gcmhub-*"))


def test_backup_of_a_folder_writes_a_dated_archive_in_it(
    demo_data: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "backups"
    folder.mkdir()

    made = cli("backup", str(folder))

    assert made.code == 0, made.err
    (written,) = folder.iterdir()
    assert written.name.startswith("gcmhub-backup-") and written.name.endswith(".tar.gz")
    assert str(written) in made.out.replace("\n", "")
    with gzip.open(written) as handle:
        assert handle.read(1)
