"""Fixtures shared by every test: a fresh data folder, a context, and the command line."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gcmhub import runtime
from gcmhub.cli import main
from gcmhub.context import Context
from gcmhub.runtime import open_context


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Give each test its own data folder and SQLite database."""
    folder = tmp_path / "gcmhub-data"
    monkeypatch.setenv("GCMHUB_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runtime.reset()
    yield folder
    runtime.reset()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the demo data folder once per test run: 210 items, embedded and tagged."""
    from gcmhub.demo.actions import demo_load
    from gcmhub.knowledge.semantic import knowledge_embed_pending

    folder = tmp_path_factory.mktemp("demo-template") / "gcmhub-data"
    before = os.environ.get("GCMHUB_DATA_DIR")
    os.environ["GCMHUB_DATA_DIR"] = str(folder)
    runtime.reset()
    try:
        with open_context() as context:
            demo_load(context, folder / "demo")
        with open_context() as context:
            knowledge_embed_pending(context)
    finally:
        runtime.reset()
        if before is None:
            os.environ.pop("GCMHUB_DATA_DIR", None)
        else:
            os.environ["GCMHUB_DATA_DIR"] = before
    return folder


@pytest.fixture
def demo_data(demo_template: Path, data_dir: Path) -> Path:
    """Give the test its own copy of the demo data folder."""
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
