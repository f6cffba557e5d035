"""Commands: `gcmhub hub load|providers|requests|match|remind`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from gcmhub.console import out, print_json
from gcmhub.hub import listing, loading, matching, providers, requests
from gcmhub.runtime import open_context

hub_app = typer.Typer(no_args_is_help=True, help="Connection hub: providers, requests, matching.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@hub_app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="JSON Lines of providers (and their offers).")],
    consent: Annotated[
        bool, typer.Option(help="Organizations in the file agreed to be listed publicly.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Load providers from JSON Lines; a bad line stops the load and nothing is stored."""
    try:
        lines = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    except (OSError, UnicodeDecodeError):
        lines = 0  # the loader says what is wrong with the file
    with Progress(console=out, disable=as_json) as bar, open_context() as ctx:
        task = bar.add_task("providers", total=lines)
        count = loading.providers_load(ctx, path, consent, lambda n: bar.advance(task, n))
    if as_json:
        print_json({"loaded": count})
        return
    out.print(f"{count} providers loaded from {path.name}.")


@hub_app.command("providers")
def providers_(
    objective: Annotated[str | None, typer.Option(help="Objective number or title.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List providers listed with consent."""
    with open_context() as ctx:
        total, rows = providers.provider_list(ctx, {"objective": objective}, limit=100_000)
    if as_json:
        print_json({"total": total, "providers": rows})
        return
    table = Table("id", "name", "objectives", "support")
    for row in rows:
        table.add_row(
            row.id, row.name, " ".join(o.code for o in row.objectives), ", ".join(row.support_types)
        )
    out.print(table)


@hub_app.command("requests")
def requests_(
    state: Annotated[str | None, typer.Option(help="Only requests in this state.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue requests.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The secretariat's queue, oldest first."""
    wanted = listing.RequestFilter(state=state, overdue=True if overdue else None)
    with open_context() as ctx:
        page = listing.request_list(ctx, wanted, limit=1000)
    if as_json:
        print_json(page)
        return
    table = Table("id", "state", "country", "objectives", "age (days)", "overdue", "title")
    for row in page.requests:
        table.add_row(
            row.id,
            row.state,
            row.country or row.region or "",
            " ".join(row.objectives),
            str(row.age_days),
            "yes" if row.overdue else "",
            row.title,
        )
    out.print(table)


@hub_app.command("match")
def match(
    ref: Annotated[str, typer.Argument(help="The request's id.")],
    limit: Annotated[int, typer.Option(help="Providers to show.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Show a request's shortlist with reasons, and the integrated plan."""
    with open_context() as ctx:
        found = matching.request_match(ctx, ref, limit)
    if as_json:
        print_json(found)
        return
    table = Table("score", "provider", "covers", "why")
    for m in found.providers:
        table.add_row(
            f"{m.score:.3f}", m.name, " ".join(m.parts), "; ".join(r.text for r in m.reasons[:3])
        )
    out.print(table)
    out.print(f"Plan ({found.plan.method}):")
    for part in found.plan.parts:
        out.print(f"  {part.label}: {part.provider_name or 'nobody yet'}")


@hub_app.command("remind")
def remind(as_json: JsonOption = False) -> None:
    """Remind the secretariat of overdue requests (once per request and state)."""
    with open_context() as ctx:
        reminded = requests.request_remind(ctx)
    if as_json:
        print_json({"reminded": reminded})
        return
    out.print(f"{len(reminded)} overdue requests reminded.")


def register(app: typer.Typer) -> None:
    """Add `gcmhub hub …` to the command line."""
    app.add_typer(hub_app, name="hub")
