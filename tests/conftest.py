"""Fixtures shared by every test: a fresh data folder and database, a context, the command line.

The suite runs on SQLite by default. With `GCMHUB_TEST_DATABASE=postgresql` it runs on
PostgreSQL instead: a throwaway cluster is made with Debian's `initdb` in a temporary folder
and started with `pg_ctl`, reached over a Unix socket only (no port, no service, no password);
as root, the cluster runs as the `postgres` system user. Migrations and the built-in taxonomy
go once into a template database, and every test gets its own database copied from it
(`CREATE DATABASE … TEMPLATE`, tens of milliseconds), with `DATABASE_URL` pointing at it;
a test of the demo gets a copy of the demo's database as it gets a copy of its data folder.
The cluster is stopped and removed when the run ends.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gcmhub import runtime
from gcmhub.cli import main
from gcmhub.context import Context
from gcmhub.runtime import open_context

TEST_DATABASE = os.environ.get("GCMHUB_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
if TEST_DATABASE not in ("sqlite", "postgresql"):
    raise pytest.UsageError(
        f"GCMHUB_TEST_DATABASE={TEST_DATABASE!r}: the suite runs on 'sqlite' or 'postgresql'"
    )
POSTGRES = TEST_DATABASE == "postgresql"
MIGRATED = "gcmhub_migrated"  # template: the schema at head and the built-in taxonomy
DEMO = "gcmhub_demo"  # template: the demo, loaded, embedded and tagged
ROLE = "gcmhub"
DATABASE = pytest.StashKey[tuple[str, str]]()  # a test's database and its template


# What these folders and files check does not touch a database at all (files in and text out,
# pure computations, the translation catalogs, the README): they run in the SQLite run only,
# and the PostgreSQL run leaves them out (its report header says how many). A single test
# says the same with the marker `database_independent`.
DATABASE_INDEPENDENT = (
    "tests/text/",
    "tests/search/test_analysis.py",
    "tests/search/test_embedder.py",
    "tests/search/test_vectors.py",
    "tests/taxonomy/test_properties.py",
    "tests/taxonomy/test_taxonomy_loaders.py",
    "tests/taxonomy/test_taxonomy_validate.py",
    "tests/fund/test_allocation.py",
    "tests/fund/test_money.py",
    "tests/test_docs.py",
)
# These check what does not depend on the database, through it: the browser journeys drive
# pages whose reads and writes the page and API tests check on both databases (and one
# Chromium at a time is enough for two cores while both runs go at once, scripts/test); the
# permission matrix tries every write route as every role, and who may write is decided in
# Python (gcmhub/auth.py) before the database is touched, while each part's own tests run its
# writes on both databases. They run in the SQLite run only.
SQLITE_RUN_ONLY = ("tests/browser/", "tests/accounts/test_permissions.py")
LEFT_OUT = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): tests SQLite itself (pragmas, files, FTS5); skipped on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "database_independent: touches no database; runs in the SQLite run only",
    )


def _independent(item: pytest.Item) -> bool:
    path = Path(str(item.path)).resolve().relative_to(Path(__file__).resolve().parent.parent)
    where = path.as_posix()
    return item.get_closest_marker("database_independent") is not None or any(
        where == prefix or where.startswith(prefix)
        for prefix in (*DATABASE_INDEPENDENT, *SQLITE_RUN_ONLY)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not POSTGRES:
        return
    independent = [item for item in items if _independent(item)]
    if independent:
        config.hook.pytest_deselected(items=independent)
        items[:] = [item for item in items if not _independent(item)]
    config.stash[LEFT_OUT] = len(independent)
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"gcmhub test database: {TEST_DATABASE}"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    left_out = config.stash.get(LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"gcmhub: {left_out} tests left out of the PostgreSQL run: the SQLite run has them "
            "(tests/conftest.py: DATABASE_INDEPENDENT, SQLITE_RUN_ONLY)"
        )


# -- PostgreSQL -------------------------------------------------------------------------------


def _postgres_bin() -> Path:
    """Return the folder of PostgreSQL's server programs (initdb, pg_ctl)."""
    configured = os.environ.get("GCMHUB_TEST_PG_BIN")
    if configured:
        return Path(configured)
    versions = [
        p.parent
        for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")
        if p.parent.parent.name.isdigit()
    ]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name))
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise pytest.UsageError(
        "GCMHUB_TEST_DATABASE=postgresql needs PostgreSQL's server programs (initdb, pg_ctl): "
        "`apt-get install -y postgresql` (scripts/test installs it when run as root), or set "
        "GCMHUB_TEST_PG_BIN to their folder"
    )


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, reached over a Unix socket."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="gcmhub-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to `postgres`
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                raise pytest.UsageError(
                    "as root, the PostgreSQL run needs the `postgres` system user that "
                    "Debian's postgresql package creates (`apt-get install -y postgresql`)"
                ) from None
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.admin: Any = None
        self._count = itertools.count(1)
        self._stopped = False
        atexit.register(self.stop)
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.root}'",
            # Durability is worthless in a cluster thrown away at the end of the run.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "shared_buffers": "64MB",
            # Far from UTC, so a timestamp that depended on the server's zone would show.
            "timezone": "'Pacific/Auckland'",
        }
        self._run(
            "initdb",
            f"--pgdata={self.data}",
            f"--username={ROLE}",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
            # Byte order, as SQLite compares text; GCMHUB_TEST_PG_LOCALE tries another, e.g.
            # "--locale-provider=icu --icu-locale=en --locale=C.UTF-8".
            *os.environ.get("GCMHUB_TEST_PG_LOCALE", "--locale=C").split(),
        )
        options = " ".join(f"-c {name}={value}" for name, value in settings.items())
        self._run(
            "pg_ctl",
            "start",
            f"--pgdata={self.data}",
            f"--log={self.log}",
            "--wait",
            "--timeout=60",
            f"--options={options}",
        )
        import psycopg

        self.admin = psycopg.connect(
            host=str(self.root), user=ROLE, dbname="postgres", autocommit=True
        )

    def _run(self, program: str, *arguments: str) -> None:
        done = subprocess.run(
            [str(self.bin / program), *arguments],
            cwd=self.root,
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            extra_groups=[] if self.user else None,
            env={**os.environ, "LC_ALL": "C"},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} failed:\n{done.stdout}\n{done.stderr}\n{log}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{ROLE}@/{database}?host={self.root}"

    def create(self, template: str, name: str | None = None) -> str:
        """Create a database as a copy of `template` (template0: empty); return its name."""
        name = name or f"test_{next(self._count)}"
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.admin is not None:
            self.admin.close()
        try:
            self._run("pg_ctl", "stop", f"--pgdata={self.data}", "--mode=immediate", "--wait")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """Set environment variables (None: unset) around a block, on fresh engines."""
    before = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    runtime.reset()
    try:
        yield
    finally:
        runtime.reset()
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster | None]:
    """Start the PostgreSQL cluster of the run, with the migrated template (None on SQLite)."""
    if not POSTGRES:
        yield None
        return
    started = time.monotonic()
    cluster = PostgresCluster()
    try:
        cluster.create("template0", MIGRATED)
        folder = Path(tempfile.mkdtemp(prefix="gcmhub-template-"))
        with environment(GCMHUB_DATA_DIR=str(folder), DATABASE_URL=cluster.url(MIGRATED)):
            with open_context():  # the schema at head and the built-in taxonomy
                pass
        shutil.rmtree(folder, ignore_errors=True)
        cluster.admin.execute(f'ALTER DATABASE "{MIGRATED}" WITH IS_TEMPLATE true')
        sys.stderr.write(f"\nPostgreSQL cluster ready in {time.monotonic() - started:.1f} s\n")
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(autouse=True)
def data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """Give each test its own data folder and database (SQLite in the folder, or PostgreSQL)."""
    folder = tmp_path / "gcmhub-data"
    cluster: PostgresCluster | None = request.getfixturevalue("postgres") if POSTGRES else None
    database = None
    if cluster is not None:
        # A test of the demo starts from the demo's database (see demo_data).
        demo = "demo_data" in request.fixturenames
        if demo:
            request.getfixturevalue("demo_template")
        template = DEMO if demo else MIGRATED
        database = cluster.create(template)
        request.node.stash[DATABASE] = (database, template)
    monkeypatch.setenv("GCMHUB_DATA_DIR", str(folder))
    if cluster is not None and database is not None:
        monkeypatch.setenv("DATABASE_URL", cluster.url(database))
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    runtime.reset()
    yield folder
    runtime.reset()
    if cluster is not None and database is not None:
        cluster.drop(database)


def recreate(request: pytest.FixtureRequest, template: str) -> None:
    """Make the test's PostgreSQL database a fresh copy of another template."""
    postgres: PostgresCluster | None = request.getfixturevalue("postgres")
    database, made_from = request.node.stash.get(DATABASE, ("", ""))
    if postgres is None or not database or made_from == template:
        return
    runtime.reset()
    postgres.create(template, database)
    request.node.stash[DATABASE] = (database, template)


@pytest.fixture
def empty_database(data_dir: Path, request: pytest.FixtureRequest) -> None:
    """Make the test's database empty, with no schema yet (on SQLite it is: no file yet)."""
    recreate(request, "template0")


@pytest.fixture(scope="session")
def demo_template(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresCluster | None
) -> Path:
    """Build the demo once per test run: 210 items, embedded and tagged.

    The data folder (vector files) is copied by each test; on PostgreSQL the demo's
    database is the template each test's database is copied from.
    """
    from gcmhub.demo.actions import demo_load
    from gcmhub.knowledge.semantic import knowledge_embed_pending

    folder = tmp_path_factory.mktemp("demo-template") / "gcmhub-data"
    url = None
    if postgres is not None:
        postgres.create(MIGRATED, DEMO)
        url = postgres.url(DEMO)
    with environment(GCMHUB_DATA_DIR=str(folder), DATABASE_URL=url):
        with open_context() as context:
            demo_load(context, folder / "demo")
        with open_context() as context:
            knowledge_embed_pending(context)
    if postgres is not None:
        postgres.admin.execute(f'ALTER DATABASE "{DEMO}" WITH IS_TEMPLATE true')
    return folder


@pytest.fixture
def demo_data(demo_template: Path, data_dir: Path, request: pytest.FixtureRequest) -> Path:
    """Give the test its own copy of the demo data folder (and, on PostgreSQL, database)."""
    recreate(request, DEMO)  # already a copy unless the fixture was asked for late
    runtime.reset()
    shutil.copytree(demo_template, data_dir, dirs_exist_ok=True)
    return data_dir


@pytest.fixture
def ctx() -> Iterator[Context]:
    """Yield a context on the test's database, committed at the end of the test."""
    with open_context() as context:
        yield context


@dataclass
class Result:
    """What a command printed and how it exited."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `gcmhub ARGS…` in this process and return its exit code and output."""

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["gcmhub", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
