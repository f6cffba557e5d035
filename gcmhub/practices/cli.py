"""Commands: `gcmhub practices list|calls`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gcmhub.console import out, print_json
from gcmhub.practices import actions
from gcmhub.runtime import open_context

practices_app = typer.Typer(
    no_args_is_help=True, help="Practice submissions and calls for practices."
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@practices_app.command("list")
def list_(
    state: Annotated[
        str | None, typer.Option(help="Only this state: submitted, in_review, approved…")
    ] = None,
    call: Annotated[str | None, typer.Option(help="Only submissions to this call.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List practice submissions, the oldest due first (the review queue)."""
    with open_context() as ctx:
        page = actions.practice_list(ctx, state, call, 1000)
    if as_json:
        print_json(page)
        return
    counts = ", ".join(f"{name} {n}" for name, n in page.by_state.items() if n)
    out.print(f"{page.total} submission(s){f' ({counts})' if counts else ''}")
    table = Table("id", "title", "state", "reviews", "due", "flag")
    for row in page.practices:
        flag = "overdue" if row.overdue else ""
        if row.needs_third_reviewer:
            flag = ", ".join(filter(None, [flag, "another reviewer needed"]))
        table.add_row(
            row.id,
            row.title,
            row.state,
            f"{row.reviews_in}/{row.reviewers}",
            row.due_at.date().isoformat() if row.due_at else "",
            flag,
        )
    out.print(table)


@practices_app.command("calls")
def calls(
    open_only: Annotated[bool, typer.Option("--open", help="Only calls open today.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List calls for practices with their deadlines."""
    with open_context() as ctx:
        found = actions.call_list(ctx, open_only)
    if as_json:
        print_json([c.model_dump(mode="json") for c in found])
        return
    table = Table("id", "title", "objectives", "deadline", "open", "submissions")
    for call in found:
        table.add_row(
            call.id,
            call.title,
            ", ".join(o.code for o in call.objectives),
            call.deadline.isoformat(),
            "yes" if call.open else "no",
            str(call.submissions),
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `gcmhub practices …` to the command line."""
    app.add_typer(practices_app, name="practices")
