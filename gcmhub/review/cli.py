"""Commands: `gcmhub review plans|reviews|partnerships|capacity|progress|report`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from gcmhub.console import out, print_json
from gcmhub.errors import InvalidInput
from gcmhub.review import capacity, partnerships, plans, progress, report, reviews
from gcmhub.review.schemas import DraftWrite, PlanWrite, ReviewWrite
from gcmhub.runtime import open_context

review_app = typer.Typer(
    no_args_is_help=True,
    help="Review of implementation: plans, voluntary reviews, partnerships, capacity, "
    "progress and the mechanism report.",
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Model = TypeVar("Model", bound=BaseModel)


def _checked(model: type[Model], data: Any) -> Model:
    """Build an input model, saying what is wrong in one line (naming the field)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        raise InvalidInput(f"{where}: {first['msg']}") from None


@review_app.command("plans")
def plans_command(
    country: Annotated[str | None, typer.Argument(help="A country (ISO3 or name).")] = None,
    version: Annotated[int | None, typer.Option(help="Show this version.")] = None,
    diff: Annotated[
        str | None, typer.Option(help="FROM:TO: what changed between two versions.")
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option(help="Save the country's plan from a JSON file (title, note, commitments)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List national plans, show or save one, or show what changed between two versions."""
    with open_context() as ctx:
        if country is None:
            found = plans.plan_list(ctx)
            if as_json:
                print_json(found)
                return
            table = Table("country", "plan", "version", "commitments", "status")
            for p in found:
                mix = ", ".join(f"{k} {v}" for k, v in p.status.items() if v)
                table.add_row(p.country, p.title, str(p.version), str(p.commitments), mix)
            out.print(table if found else "No national implementation plan yet.")
            return
        if save is not None:
            data = _checked(PlanWrite, json.loads(save.read_text(encoding="utf-8")))
            shown = plans.plan_save(ctx, country, data)
            if as_json:
                print_json(shown)
            else:
                out.print(
                    f"Plan of {shown.country_name}: version {shown.version}, "
                    f"{len(shown.commitments)} commitment(s)."
                )
            return
        if diff is not None:
            first, sep, last = diff.partition(":")
            if not sep or not first.isdigit() or not last.isdigit():
                raise InvalidInput(f"--diff: write FROM:TO (1:2), not '{diff}'")
            changes = plans.plan_diff(ctx, country, int(first), int(last))
            if as_json:
                print_json(changes)
                return
            out.print(
                f"Version {first} -> {last}: {changes.added} added, {changes.removed} removed, "
                f"{changes.changed} changed."
            )
            for change in changes.changes:
                fields = ", ".join(f.field for f in change.fields)
                out.print(
                    f"  {change.change:8} {change.key} {change.title}"
                    + (f" ({fields})" if fields else "")
                )
            return
        shown = plans.plan_show(ctx, country, version)
    if as_json:
        print_json(shown)
        return
    out.print(f"{shown.title} — version {shown.version} of {shown.latest_version}")
    table = Table("key", "commitment", "objectives", "actions", "status", "budget")
    for c in shown.commitments:
        table.add_row(
            c.key,
            c.title,
            ", ".join(o.split(":")[1] for o in c.objectives),
            ", ".join(a.split(":")[1] for a in c.actions),
            c.status,
            f"{c.budget} {c.currency}" if c.budget is not None else "",
        )
    out.print(table)


@review_app.command("reviews")
def reviews_command(
    review_id: Annotated[int | None, typer.Argument(help="A review's id.")] = None,
    country: Annotated[str | None, typer.Option(help="Only this country's reviews.")] = None,
    create: Annotated[
        str | None, typer.Option(help="Open a review for this country (with --period).")
    ] = None,
    period: Annotated[str | None, typer.Option(help="2022, or 2019-2022.")] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Draft the review from what the system knows.")
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="With --draft: replace written texts.")] = False,
    export: Annotated[
        Path | None, typer.Option(help="Write the review to this .docx or .html file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List voluntary reviews, open one, draft it, or export it as DOCX or HTML."""
    from gcmhub.review.exports import review_docx, review_html

    with open_context() as ctx:
        if create is not None:
            if period is None:
                raise InvalidInput("--period: give the review's period (2022, or 2019-2022)")
            made = reviews.review_create(
                ctx, _checked(ReviewWrite, {"country": create, "period": period})
            )
            review_id = made.id
            if not draft:
                if as_json:
                    print_json(made)
                else:
                    out.print(f"Review {made.id} opened: {made.title}.")
                return
        if review_id is None:
            found = reviews.review_list(ctx, country)
            if as_json:
                print_json(found)
                return
            table = Table("id", "country", "period", "title", "status", "sections filled")
            for r in found:
                table.add_row(str(r.id), r.country, r.period, r.title, r.status, str(r.filled))
            out.print(table if found else "No voluntary review yet.")
            return
        if draft:
            shown = reviews.review_draft(ctx, review_id, DraftWrite(overwrite=overwrite))
        else:
            shown = reviews.review_show(ctx, review_id)
    if export is not None:
        if export.suffix.lower() == ".docx":
            export.write_bytes(review_docx(shown))
        elif export.suffix.lower() in (".html", ".htm"):
            export.write_text(review_html(shown), encoding="utf-8")
        else:
            raise InvalidInput("--export: a .docx or .html file")
        out.print(f"Review {shown.id} written to {export}.")
        return
    if as_json:
        print_json(shown)
        return
    out.print(f"{shown.title} ({shown.status}): {shown.filled} of {len(shown.sections)} filled.")
    for s in shown.sections:
        if any(
            getattr(s, n) for n in ("progress", "challenges", "good_practices", "support_needed")
        ):
            out.print(f"  Objective {s.code}: {s.progress[:100] or s.challenges[:100]}")


@review_app.command("partnerships")
def partnerships_command(
    level: Annotated[str | None, typer.Option(help="local, national, bilateral…")] = None,
    objective: Annotated[str | None, typer.Option(help="An objective (6 or its title).")] = None,
    country: Annotated[str | None, typer.Option(help="A country (ISO3 or name).")] = None,
    stakeholder: Annotated[str | None, typer.Option(help="A stakeholder type.")] = None,
    measures: Annotated[
        bool, typer.Option("--measures", help="Print the measures, not the list.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List the partnerships registry, or its measures (count, diversity, objectives…)."""
    with open_context() as ctx:
        if measures:
            found = partnerships.partnership_measures(
                ctx, level=level, objective=objective, country=country, stakeholder=stakeholder
            )
            if as_json:
                print_json(found)
                return
            out.print(
                f"{found.partnerships} partnership(s); {found.distinct_stakeholder_types} "
                f"stakeholder type(s), Shannon {found.shannon}, evenness {found.evenness}; "
                f"{found.objectives_covered} objective(s) covered; {found.with_results} "
                f"report results ({found.results_reported} in all)."
            )
            return
        rows = partnerships.partnership_list(ctx, level, objective, country, stakeholder)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "partnership", "level", "partners", "objectives", "results")
    for p in rows:
        table.add_row(
            str(p.id),
            p.name,
            p.level,
            ", ".join(p.partners),
            ", ".join(o.split(":")[1] for o in p.objectives),
            str(len(p.results)),
        )
    out.print(table if rows else "No partnership registered.")


@review_app.command("capacity")
def capacity_command(
    country: Annotated[str | None, typer.Option(help="A country (ISO3 or name).")] = None,
    domains: Annotated[bool, typer.Option("--domains", help="List the domains.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the change in capacity per domain (before -> after), or the domains."""
    if domains:
        found = capacity.domains()
        if as_json:
            print_json(found)
            return
        for domain in found:
            out.print(f"{domain.id}: {domain.label} (0-{domain.scale_max:g})")
        return
    with open_context() as ctx:
        changes = capacity.capacity_changes(ctx, country)
    if as_json:
        print_json(changes)
        return
    if not changes:
        out.print("No capacity assessment recorded.")
    for c in changes:
        link = " ".join(x for x in (c.request, c.project) if x)
        out.print(f"{c.country} {c.subject} {link}: mean change {c.mean_change}")
        for d in c.domains:
            out.print(f"  {d.label}: {d.before} -> {d.after} ({d.change})")


@review_app.command("progress")
def progress_command(
    country: Annotated[str | None, typer.Option(help="One country's progress.")] = None,
    matrix: Annotated[
        str | None,
        typer.Option(help="Regions x objectives: commitments, coverage, requests or projects."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Progress per objective (plan coverage, status mix, requests, projects, indicators)."""
    with open_context() as ctx:
        if matrix is not None:
            grid = progress.region_matrix(ctx, matrix)
            if as_json:
                print_json(grid)
                return
            out.print(f"{grid.measure} by region (rows) and objective (columns)")
            out.print(f"{'':10}" + "".join(f"{o:>4}" for o in grid.objectives))
            for region in grid.regions:
                cells = [c for c in grid.cells if c.region == region]
                values = "".join(f"{c.value:>4}" for c in cells)
                out.print(f"{cells[0].region_name:10}{values}", soft_wrap=True)
            return
        if country is not None:
            found = progress.country_progress(ctx, country)
            rows = found.objectives
            if as_json:
                print_json(found)
                return
        else:
            rows = progress.objective_progress(ctx)
            if as_json:
                print_json(rows)
                return
    table = Table("objective", "coverage", "commitments", "status", "requests", "projects")
    for o in rows:
        table.add_row(
            o.code,
            f"{o.actions_committed}/{o.actions}",
            str(o.commitments),
            ", ".join(f"{k} {v}" for k, v in o.status.items() if v),
            str(o.requests),
            str(o.projects),
        )
    out.print(table)


@review_app.command("report")
def report_command(
    start: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD).")
    ],
    end: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (YYYY-MM-DD).")
    ],
    as_json: JsonOption = False,
    docx: Annotated[Path | None, typer.Option("--docx", help="Write a Word document.")] = None,
) -> None:
    """The whole mechanism's report for a period, every figure with its source and records."""
    from gcmhub.review.exports import report_docx

    with open_context() as ctx:
        found = report.mechanism_report(ctx, start.date(), end.date())
    if docx is not None:
        docx.write_bytes(report_docx(found))
        out.print(f"Report {found.start} to {found.end} written to {docx}.")
        return
    if as_json:
        print_json(found)
        return
    out.print(found.message)
    for section in found.sections:
        out.print(f"\n{section.title}")
        for f in section.figures:
            value = "—" if f.value is None else f.value
            out.print(f"  {f.label}: {value} {f.unit}".rstrip())


def register(app: typer.Typer) -> None:
    """Add `gcmhub review …` to the command line."""
    app.add_typer(review_app, name="review")
