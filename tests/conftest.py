"""Fixtures shared by every test: a fresh data folder, a context, and the command line."""

from __future__ import annotations

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
