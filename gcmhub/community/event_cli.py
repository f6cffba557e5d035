"""Placeholder: commands are added by the events work."""

from __future__ import annotations

import typer


def add_commands(group: typer.Typer) -> None:
    """Add this part's commands to `gcmhub community`."""
