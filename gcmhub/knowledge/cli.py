"""Commands: `gcmhub ingest`, `gcmhub search`, `gcmhub show`."""

from __future__ import annotations

import re
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from gcmhub.console import err, fail, out, print_json
from gcmhub.errors import GcmhubError
from gcmhub.knowledge import actions
from gcmhub.knowledge.ingest import FileReport, IngestOptions, expand_paths, normalise_type
from gcmhub.knowledge.semantic import knowledge_embed_pending, pending_count
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from gcmhub.text.readers import SUPPORTED, UnsupportedFileType

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to read.")],
    type: Annotated[
        str | None, typer.Option("--type", help="Item type: practice, resource, project…")
    ] = None,
    publisher: Annotated[str | None, typer.Option(help="Publisher of the documents.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence, e.g. CC BY 4.0.")] = None,
    language: Annotated[
        str | None, typer.Option(help="Language (ISO 639-1) instead of detecting it.")
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="Country the items are about (repeat).")
    ] = None,
    objective: Annotated[
        list[str] | None, typer.Option("--objective", help="GCM objective or action (repeat).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Read PDF, DOCX, HTML, Markdown, text and JSON Lines files into knowledge items."""
    files = expand_paths(paths)
    for path in files:
        if path.suffix.lower() not in SUPPORTED:
            raise UnsupportedFileType.for_path(path, SUPPORTED)
    if type is not None:
        normalise_type(type)
    options = IngestOptions(
        type=type,
        publisher=publisher,
        licence=licence,
        language=language,
        countries=tuple(country or ()),
        objectives=tuple(objective or ()),
        max_chars=get_settings().segment_max_chars,
    )
    with open_context() as ctx:
        actions.ingest_check(ctx, options)
    reports = _ingest_all(files, options, show_progress=not as_json)
    embedded = embed_pending(show_progress=not as_json) if get_settings().semantic else 0
    if as_json:
        print_json(
            {
                "added": [asdict(r) for r in reports if r.status == "added"],
                "updated": [asdict(r) for r in reports if r.status == "updated"],
                "skipped": [asdict(r) for r in reports if r.status == "unchanged"],
                "failed": [asdict(r) for r in reports if r.status == "failed"],
                "embedded": embedded,
            }
        )
    else:
        _print_reports(reports)
        if embedded:
            out.print(f"{embedded} item(s) embedded and tagged.")
    if reports and all(r.status == "failed" for r in reports):
        raise typer.Exit(1)


PROGRESS_COLUMNS = (
    TextColumn("{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
    TextColumn("ETA"),
    TimeRemainingColumn(),
)


def embed_pending(show_progress: bool) -> int:
    """Embed and tag the items waiting for it, committing every few hundred; return how many."""
    with open_context() as ctx:
        waiting = pending_count(ctx)
    if not waiting:
        return 0
    done = 0
    with Progress(*PROGRESS_COLUMNS, console=err, disable=not show_progress) as bar:
        task = bar.add_task("embedding and tagging", total=waiting)
        while True:
            with open_context() as ctx:
                count = knowledge_embed_pending(ctx, partial(bar.advance, task), most=512)
            done += count
            if count < 512:
                return done


def _ingest_all(files: list[Path], options: IngestOptions, show_progress: bool) -> list[FileReport]:
    reports: list[FileReport] = []
    with Progress(*PROGRESS_COLUMNS, console=err, disable=not show_progress) as bar:
        task = bar.add_task("files", total=len(files))
        for path in files:
            records = bar.add_task(f"  {path.name[:40]}", total=None)
            try:
                with open_context() as ctx:
                    report = actions.knowledge_ingest(
                        ctx, path, options, partial(bar.advance, records)
                    )
            except GcmhubError as error:
                report = FileReport(str(path), "failed", f"{path.name}: {error}")
            except OSError as error:
                report = FileReport(str(path), "failed", f"{path.name}: {error.strerror}")
            bar.remove_task(records)
            reports.append(report)
            bar.advance(task)
    return reports


def _print_reports(reports: list[FileReport]) -> None:
    for r in reports:
        if r.status == "failed":
            out.print(f"[red]failed[/red]    {escape(r.reason)}")
            continue
        counts = (
            f"{r.added} added, {r.updated} updated, {r.unchanged} unchanged, {r.removed} removed"
        )
        detail = escape(r.reason) if r.status == "unchanged" else counts
        out.print(f"{r.status:<10}{escape(r.path)}: {detail}")
        for problem in r.problems:
            out.print(f"  [yellow]problem[/yellow] {escape(problem)}")
    totals = {
        s: sum(1 for r in reports if r.status == s)
        for s in ("added", "updated", "unchanged", "failed")
    }
    out.print(
        f"{len(reports)} file(s): {totals['added']} added, {totals['updated']} updated, "
        f"{totals['unchanged']} unchanged, {totals['failed']} failed"
    )


def _parse_filters(filters: list[str]) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for text in filters:
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or not value.strip():
            fail(f"filter '{text}' is not NAME=VALUE (e.g. objective=19, country=MEX)")
        parsed.setdefault(name.strip().lower(), []).append(value.strip())
    return parsed


def search(
    query: Annotated[str, typer.Argument(help='Words; "a phrase"; -excluded. Empty lists all.')],
    filter: Annotated[
        list[str] | None,
        typer.Option(
            "--filter", "-f", help="NAME=VALUE, e.g. objective=19, country=MEX, type=practice."
        ),
    ] = None,
    mode: Annotated[
        str, typer.Option(help="hybrid (words and meaning), lexical or semantic.")
    ] = "hybrid",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many hits.")] = 10,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many hits.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Search knowledge items: BM25 ranking, facet counts and highlighted snippets."""
    with open_context() as ctx:
        results = actions.item_search(
            ctx, query, _parse_filters(filter or []), limit, offset, mode=mode
        )
    if as_json:
        print_json(results)
        return
    note = (
        " (no item holds all the words; showing items with any)"
        if results.matched == "any" and results.mode == "lexical"
        else ""
    )
    out.print(f"[bold]{results.total}[/bold] result(s), {results.mode} search{note}")
    for n, hit in enumerate(results.hits, start=offset + 1):
        where = hit.source.file or ""
        if hit.source.page_start:
            where += f" p. {hit.source.page_start}"
        meta = f"{hit.id} · {hit.type} · {hit.language or '?'} · {hit.score:.2f}"
        reasons = []
        if hit.why.terms:
            reasons.append("words: " + ", ".join(hit.why.terms))
        if hit.why.similarity is not None:
            reasons.append(f"meaning: {hit.why.similarity:.2f}")
        reasons += [f"tag: {t}" for t in hit.why.tags]
        out.print(f"\n[bold]{n}. {escape(hit.title)}[/bold]  [dim]{meta}[/dim]")
        out.print("   " + _marked(hit.snippet))
        if where:
            out.print(f"   [dim]{escape(where)}[/dim]")
        if reasons:
            out.print(f"   [dim]why: {escape('; '.join(reasons))}[/dim]")
    for name, values in results.facets.items():
        shown = ", ".join(
            f"{escape(_facet_name(v.value, v.label))} ({v.count})" for v in values[:6]
        )
        out.print(f"[dim]{name}:[/dim] {shown}")


def _facet_name(value: str, label: str) -> str:
    if label == value:
        return value
    short = label if len(label) <= 40 else label[:38].rsplit(" ", 1)[0] + "…"
    return f"{value} {short}"


def _marked(snippet: str) -> str:
    import html

    text = escape(html.unescape(re.sub(r"</?mark>", "\x00", snippet)))
    parts = text.split("\x00")
    return "".join(f"[bold yellow]{p}[/bold yellow]" if i % 2 else p for i, p in enumerate(parts))


def show(
    ref: Annotated[str, typer.Argument(metavar="ID", help="Item id as search prints it.")],
    as_json: JsonOption = False,
) -> None:
    """Show one knowledge item with its tags and provenance."""
    with open_context() as ctx:
        item = actions.item_show(ctx, ref)
    if as_json:
        print_json(item)
        return
    out.print(
        f"[bold]{escape(item.title)}[/bold]  [dim]{item.id} · {item.type} · {item.language}[/dim]"
    )
    out.print(escape(item.text))
    for tag in item.tags:
        out.print(f"[dim]tag[/dim] {tag.concept} {escape(tag.label)} ({tag.origin}, {tag.status})")
    s = item.source
    out.print(
        f"[dim]source[/dim] {escape(s.file or '-')} pages {s.page_start}-{s.page_end} "
        f"paragraphs {s.para_start}-{s.para_end} {escape(' > '.join(s.heading_path))}"
    )


def register(app: typer.Typer) -> None:
    """Add the knowledge commands to the main command."""
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.command("show")(show)
