"""Commands: `gcmhub taxonomy load|list|show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gcmhub.console import out, print_json
from gcmhub.runtime import open_context
from gcmhub.taxonomy import actions
from gcmhub.taxonomy.loaders import load_scheme_file
from gcmhub.taxonomy.schemas import ConceptPublic

taxonomy_app = typer.Typer(no_args_is_help=True, help="Concept schemes: objectives, countries…")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@taxonomy_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="SKOS, CSV or JSON")],
    scheme: Annotated[str | None, typer.Option(help="Scheme id (a slug).")] = None,
    title: Annotated[str | None, typer.Option(help="Scheme title.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a scheme from SKOS (Turtle, JSON-LD) or CSV/JSON (id,label,definition,broader)."""
    data = load_scheme_file(file, scheme_id=scheme, title=title)
    with open_context() as ctx:
        summary = actions.scheme_store(ctx, data)
    if as_json:
        print_json(summary)
    else:
        out.print(f"Loaded scheme '{summary.id}' ({summary.title}): {summary.concepts} concepts.")


@taxonomy_app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List the loaded schemes."""
    with open_context() as ctx:
        schemes = actions.scheme_list(ctx)
    if as_json:
        print_json([s.model_dump() for s in schemes])
        return
    table = Table("id", "title", "concepts", "built in")
    for s in schemes:
        table.add_row(s.id, s.title, str(s.concepts), "yes" if s.builtin else "")
    out.print(table)


@taxonomy_app.command("show")
def show(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="A scheme (objective) or a concept (objective:19)")
    ],
    as_json: JsonOption = False,
) -> None:
    """Show a scheme with its top concepts, or a concept with its labels and neighbours."""
    with open_context() as ctx:
        shown = (
            actions.concept_show(ctx, ident) if ":" in ident else actions.scheme_show(ctx, ident)
        )
    if as_json:
        print_json(shown)
        return
    if isinstance(shown, ConceptPublic):
        out.print(f"[bold]{shown.id}[/bold]  {shown.label}")
        for language, label in sorted(shown.labels.items()):
            out.print(f"  label ({language}): {label}")
        if shown.notation:
            out.print(f"  notation: {shown.notation}")
        if shown.definition:
            out.print(f"  definition: {shown.definition}")
        for name, refs in (("broader", shown.broader), ("narrower", shown.narrower)):
            for ref in refs:
                out.print(f"  {name}: {ref.id}  {ref.label}")
        for example in shown.examples:
            out.print(f"  example: {example}")
        return
    out.print(f"[bold]{shown.id}[/bold]  {shown.title} ({shown.concepts} concepts)")
    if shown.source:
        out.print(f"  source: {shown.source}")
    if shown.licence:
        out.print(f"  licence: {shown.licence}")
    for ref in shown.top_concepts:
        out.print(f"  {ref.id}  {ref.label}")


def register(app: typer.Typer) -> None:
    """Add the taxonomy commands to the main command."""
    app.add_typer(taxonomy_app, name="taxonomy")
