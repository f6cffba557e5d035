"""Command: `gcmhub export`, the open-data downloads written to a file or standard output."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, TextIO

import typer
from pydantic import BaseModel

from gcmhub.console import err
from gcmhub.context import PUBLIC
from gcmhub.downloads import Table, chunks, format_of

export_app = typer.Typer(no_args_is_help=True, help="Download open data: items, schemes, concepts.")

FormatOption = Annotated[str, typer.Option("--format", help="csv, json or jsonld.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write; standard output if absent.")
]


def _write(table: Table, rows: Iterable[BaseModel], fmt: str, output: Path | None) -> None:
    if output is None:
        _copy(table, rows, fmt, sys.stdout)
        return
    partial = output.with_name(output.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        count = _copy(table, rows, fmt, handle)
    partial.replace(output)  # a failed export never leaves a truncated file under the name
    err.print(f"{count} {table.name} written to {output}")


def _copy(table: Table, rows: Iterable[BaseModel], fmt: str, handle: TextIO) -> int:
    counted = 0

    def tally() -> Iterable[BaseModel]:
        nonlocal counted
        for row in rows:
            counted += 1
            yield row

    for chunk in chunks(table, tally(), fmt):
        handle.write(chunk)
    return counted


@export_app.command("items")
def export_items(
    format: FormatOption = "csv",
    output: OutputOption = None,
    filter: Annotated[
        list[str] | None, typer.Option("--filter", "-f", help="NAME=VALUE, e.g. objective=20.")
    ] = None,
) -> None:
    """Write every published knowledge item that passes the filters."""
    from gcmhub.errors import BadParameter
    from gcmhub.knowledge.exports import ITEMS
    from gcmhub.knowledge.listing import item_stream

    fmt = format_of(format)
    filters: dict[str, list[str]] = {}
    for pair in filter or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadParameter("filter", f"filter '{pair}' is not NAME=VALUE")
        filters.setdefault(name.strip(), []).append(value.strip())
    _write(ITEMS, item_stream(PUBLIC, filters, "id"), fmt, output)


@export_app.command("concepts")
def export_concepts(
    scheme: Annotated[str, typer.Argument(help="Scheme id, e.g. objective.")],
    format: FormatOption = "csv",
    output: OutputOption = None,
) -> None:
    """Write every concept of a scheme (JSON-LD is SKOS)."""
    from gcmhub.taxonomy.actions import concept_stream
    from gcmhub.taxonomy.exports import CONCEPTS

    _write(CONCEPTS, concept_stream(PUBLIC, scheme), format_of(format), output)


@export_app.command("schemes")
def export_schemes(format: FormatOption = "csv", output: OutputOption = None) -> None:
    """Write the list of concept schemes."""
    from gcmhub.runtime import open_context
    from gcmhub.taxonomy.actions import scheme_list
    from gcmhub.taxonomy.exports import SCHEMES

    with open_context(PUBLIC) as ctx:
        schemes = scheme_list(ctx)
    _write(SCHEMES, schemes, format_of(format), output)


def register(app: typer.Typer) -> None:
    """Add the export commands to the main command."""
    app.add_typer(export_app, name="export")
