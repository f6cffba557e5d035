"""Commands: `gcmhub backup` and `gcmhub restore`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from gcmhub.backup import backup_create, backup_restore, default_archive_name
from gcmhub.console import out, print_json

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def backup(
    path: Annotated[
        Path | None,
        typer.Argument(help="Archive to write (a folder: a dated name in it).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a backup archive of the database (safe while GCM Hub runs)."""
    report = backup_create(path or Path(default_archive_name()), overwrite=force)
    if as_json:
        print_json(asdict(report))
        return
    counts = report.counts
    out.print(
        f"Backup written to {report.path}: {counts.get('items', 0)} item(s), "
        f"{counts.get('sources', 0)} source(s), {counts.get('concepts', 0)} concept(s), "
        f"schema revision {report.schema_revision} ({_size(report.size)})."
    )


def restore(
    path: Annotated[Path, typer.Argument(help="Archive written by `gcmhub backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds knowledge.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Replace the database with a backup, then upgrade it (stop `gcmhub serve` first)."""
    report = backup_restore(path, force=force)
    if as_json:
        print_json(asdict(report))
        return
    counts = report.counts
    out.print(
        f"Restored {report.path} (made {report.created}): {counts.get('items', 0)} item(s), "
        f"{counts.get('sources', 0)} source(s); database at schema revision {report.revision}; "
        f"{report.vectors} vector(s) rebuilt."
    )


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


def register(app: typer.Typer) -> None:
    """Add the backup and restore commands to the main command."""
    app.command("backup")(backup)
    app.command("restore")(restore)
