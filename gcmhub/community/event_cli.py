"""`gcmhub community events|pledges`: list events and pledges, with the API's filters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from gcmhub.community import events, pledges
from gcmhub.console import out, print_json
from gcmhub.runtime import open_context

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Words = Annotated[str | None, typer.Option("--q", help="Words, all of them present.")]
ObjectiveOption = Annotated[str | None, typer.Option(help="An objective: 6, objective:6.")]
CountryOption = Annotated[str | None, typer.Option(help="A country: ISO3 or a name.")]


def events_command(
    q: Words = None,
    objective: ObjectiveOption = None,
    country: CountryOption = None,
    region: Annotated[str | None, typer.Option(help="An M49 region code: 002, 015…")] = None,
    scope: Annotated[str | None, typer.Option(help="global, regional, national, local.")] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="Events ending on or after this day."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Events starting on or before this day."),
    ] = None,
    status: Annotated[str | None, typer.Option(help="active or cancelled.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List events toward the Compact by start date."""
    wanted = events.EventFilter(
        q,
        objective,
        country,
        region,
        scope,
        since.date() if since else None,
        until.date() if until else None,
        status,
    )
    with open_context() as ctx:
        found = events.event_list(ctx, wanted)
    if as_json:
        print_json(found)
        return
    table = Table("id", "starts", "ends", "title", "organizer", "scope", "status", "item")
    for e in found:
        table.add_row(
            str(e.id),
            e.starts_on.isoformat(),
            e.ends_on.isoformat(),
            e.title,
            e.organizer,
            e.scope,
            e.status,
            e.item_ref or "",
        )
    out.print(table if found else "No event matches.")


def pledges_command(
    q: Words = None,
    objective: ObjectiveOption = None,
    country: CountryOption = None,
    pledger_kind: Annotated[
        str | None, typer.Option(help="member_state, or an organization kind.")
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="pledged, in_progress, fulfilled, withdrawn.")
    ] = None,
    overdue: Annotated[
        bool | None, typer.Option("--overdue/--not-overdue", help="Only overdue ones, or none.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List pledges by due date, with their progress; overdue ones are marked."""
    wanted = pledges.PledgeFilter(q, objective, country, pledger_kind, status, overdue)
    with open_context() as ctx:
        found = pledges.pledge_list(ctx, wanted)
    if as_json:
        print_json(found)
        return
    table = Table("id", "due", "title", "pledger", "progress", "status", "overdue")
    for p in found:
        table.add_row(
            str(p.id),
            p.due_on.isoformat(),
            p.title,
            p.pledger,
            f"{p.progress} %",
            p.status,
            "overdue" if p.overdue else "",
        )
    out.print(table if found else "No pledge matches.")


def add_commands(group: typer.Typer) -> None:
    """Add `events` and `pledges` to `gcmhub community`."""
    group.command("events")(events_command)
    group.command("pledges")(pledges_command)
