"""Commands: `gcmhub tag` (tag texts with a scheme) and `gcmhub curate` (review tags)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.markup import escape
from rich.table import Table

from gcmhub.console import fail, out, print_json
from gcmhub.knowledge import curation
from gcmhub.knowledge.semantic import embed_passages, scheme_tagger
from gcmhub.runtime import open_context

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
BATCH = 256


def _records(stream: TextIO) -> list[tuple[str, str, int]]:
    """Read `{"id","text"}` lines; a line that is not such an object stops with one line."""
    records = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            fail(f"line {number}: not JSON ({error.msg})")
        if not isinstance(record, dict) or "id" not in record:
            fail(f'line {number}: expected an object with "id" and "text"')
        text = record.get("text")
        records.append((str(record["id"]), text if isinstance(text, str) else "", number))
    return records


def tag(
    scheme: Annotated[str, typer.Option(help="Scheme to tag with, e.g. objective.")],
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50, help="Labels per text.")] = 3,
    input: Annotated[
        Path | None, typer.Option("--input", help='JSON Lines of {"id","text"}; stdin if absent.')
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Suggest concepts of a scheme for each text: zero-shot, then learning from curators."""
    with open_context() as ctx:
        tagger = scheme_tagger(ctx, scheme)
    if input is not None:
        if not input.is_file():
            fail(f"{input}: no such file")
        with input.open(encoding="utf-8") as stream:
            records = _records(stream)
    else:
        records = _records(sys.stdin)
    table = Table("id", "labels")
    for start in range(0, len(records), BATCH):
        chunk = records[start : start + BATCH]
        with open_context() as ctx:
            vectors = embed_passages(ctx, [text for _, text, _ in chunk])
        for (ident, text, _), found in zip(chunk, tagger.suggest(vectors, k=top_k), strict=True):
            labels = [{"concept": s.concept, "label": s.label, "score": s.score} for s in found]
            line: dict[str, object] = {"id": ident, "labels": labels}
            if not text.strip():
                line["reason"] = "empty text: nothing to tag"
            if as_json:
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            else:
                shown = ", ".join(f"{s.concept} {s.label[:40]} ({s.score:.2f})" for s in found)
                table.add_row(escape(ident), escape(shown or str(line.get("reason", ""))))
    if not as_json:
        out.print(table)


curate_app = typer.Typer(no_args_is_help=True, help="Review automatic tags: confirm or reject.")


@curate_app.command("queue")
def queue(
    scheme: Annotated[str | None, typer.Option(help="Only this scheme.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: JsonOption = False,
) -> None:
    """List suggested tags waiting for a curator, most confident first."""
    with open_context() as ctx:
        waiting = curation.tag_queue(ctx, scheme, limit)
    if as_json:
        print_json([{"item": ref, "title": title, **t.model_dump()} for ref, title, t in waiting])
        return
    table = Table("item", "title", "suggested tag", "score")
    for ref, title, t in waiting:
        table.add_row(
            ref, escape(title[:50]), escape(f"{t.concept} {t.label[:40]}"), f"{t.score or 0:.2f}"
        )
    out.print(table)


@curate_app.command("confirm")
def confirm(
    item: Annotated[str, typer.Argument(help="Item id.")],
    concepts: Annotated[list[str], typer.Argument(help="Concepts, e.g. objective:19.")],
) -> None:
    """Confirm tags (suggested or new); the tagger learns from confirmed items."""
    with open_context() as ctx:
        for concept in concepts:
            curation.tag_confirm(ctx, item, concept)
    out.print(f"Confirmed {', '.join(concepts)} on {item}.")


@curate_app.command("reject")
def reject(
    item: Annotated[str, typer.Argument(help="Item id.")],
    concepts: Annotated[list[str], typer.Argument(help="Concepts, e.g. objective:19.")],
) -> None:
    """Reject tags: they stop counting in facets and filters."""
    with open_context() as ctx:
        for concept in concepts:
            curation.tag_reject(ctx, item, concept)
    out.print(f"Rejected {', '.join(concepts)} on {item}.")


def register(app: typer.Typer) -> None:
    """Add the tagging and curation commands to the main command."""
    app.command("tag")(tag)
    app.add_typer(curate_app, name="curate")
