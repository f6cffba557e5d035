"""Documentation is tested: every command and setting is in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from gcmhub.cli import app
from gcmhub.settings import Settings

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def command_paths(group: object, prefix: str = "gcmhub") -> list[str]:
    commands = getattr(group, "commands", {})
    paths = []
    for name, command in commands.items():
        path = f"{prefix} {name}"
        paths += command_paths(command, path) if getattr(command, "commands", None) else [path]
    return paths


def test_every_command_is_in_the_readme() -> None:
    paths = command_paths(typer.main.get_command(app))
    assert len(paths) >= 9
    missing = [p for p in paths if p not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    names = [
        "DATABASE_URL" if n == "database_url" else f"GCMHUB_{n.upper()}"
        for n in Settings.model_fields
    ]
    assert [n for n in names if n not in README] == []
