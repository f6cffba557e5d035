"""Commands: `gcmhub community connections` and `gcmhub community digest`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gcmhub.community import connections, digests
from gcmhub.console import out, print_json
from gcmhub.context import PUBLIC
from gcmhub.runtime import open_context

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def connections_command(
    objective: Annotated[
        str | None, typer.Option(help="Objective number (6) or concept id (objective:6).")
    ] = None,
    area: Annotated[
        str | None, typer.Option(help="M49 region code (202) or country (ISO3 or name).")
    ] = None,
    limit: Annotated[int, typer.Option(min=0, max=100, help="Entries shown per kind.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Who works on an objective in an area, as the public sees it (either filter, or both)."""
    with open_context(PUBLIC) as ctx:
        found = connections.connections(ctx, objective, area, limit)
    if as_json:
        print_json(found)
        return
    table = Table("kind", "count", "first entries")
    for section in found.sections:
        shown = "\n".join(f"{e.title} ({e.link})" for e in section.entries)
        table.add_row(section.kind, str(section.count), shown)
    out.print(table)


def digest_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Compose the digests; send and store nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Email each follower what is new on what they follow since their last digest."""
    with open_context() as ctx:
        run = digests.digest_send(ctx, dry_run=dry_run)
    if as_json:
        print_json(run)
        return
    verb = "would be sent" if dry_run else "sent"
    out.print(
        f"{run.sent} digests {verb} ({run.news} news) to {run.people} people following something."
    )


def add_commands(group: typer.Typer) -> None:
    """Add this part's commands to `gcmhub community`."""
    group.command("connections")(connections_command)
    group.command("digest")(digest_command)
