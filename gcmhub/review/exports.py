"""The review's documents and downloads: a voluntary review as DOCX or HTML, the mechanism
report as DOCX, and every dashboard figure as CSV or JSON rows.

DOCX is written with python-docx: the review's title (Title), a heading (level 1) per
objective, "Objective N: title", then a level-2 heading per part (Progress, Challenges, Good
practices, Support needed) and the records a drafted section drew on. The HTML export is one
self-contained page built here with every text escaped (no template: nothing else renders it).
"""

from __future__ import annotations

import html
import io
from typing import Any

from pydantic import BaseModel

from gcmhub.downloads import Table, joined
from gcmhub.review.schemas import (
    CapacityChange,
    MatrixCell,
    MechanismReport,
    ObjectiveProgress,
    PartnershipPublic,
    ReviewPublic,
)

PARTS = (
    ("progress", "Progress"),
    ("challenges", "Challenges"),
    ("good_practices", "Good practices"),
    ("support_needed", "Support needed"),
)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def review_docx(review: ReviewPublic) -> bytes:
    """A review as a Word document: a heading per objective, a sub-heading per part."""
    import docx

    document = docx.Document()
    document.core_properties.title = review.title
    document.add_heading(review.title, level=0)
    document.add_paragraph(
        f"{review.country_name} ({review.country}), period {review.period}. Status: "
        f"{review.status}. Last changed {review.updated_at:%Y-%m-%d}."
    )
    for section in review.sections:
        document.add_heading(f"Objective {section.code}: {section.label}", level=1)
        for name, title in PARTS:
            text = getattr(section, name).strip()
            document.add_heading(title, level=2)
            document.add_paragraph(text or "Nothing reported.")
        extra = []
        if section.practice_item:
            extra.append(f"Good practices published as knowledge item {section.practice_item}.")
        if section.support_request:
            extra.append(f"Support requested from the hub: request {section.support_request}.")
        if section.sources:
            extra.append(
                "Drafted from: " + "; ".join(f"{s.kind} {s.ref}" for s in section.sources) + "."
            )
        for line in extra:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def review_html(review: ReviewPublic) -> str:
    """A review as one self-contained HTML page, every text escaped."""
    e = html.escape
    out = [
        "<!doctype html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{e(review.title)}</title>',
        "<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}"
        "h2{border-block-end:1px solid #999}.src{color:#444;font-size:.9em}</style></head>",
        "<body><main>",
        f"<h1>{e(review.title)}</h1>",
        f"<p>{e(review.country_name)} ({e(review.country)}), period {e(review.period)}. "
        f"Status: {e(review.status)}.</p>",
    ]
    for section in review.sections:
        out.append(f'<section id="objective-{e(section.code)}">')
        out.append(f"<h2>Objective {e(section.code)}: {e(section.label)}</h2>")
        for name, title in PARTS:
            text = getattr(section, name).strip() or "Nothing reported."
            paragraphs = "".join(f"<p>{e(p)}</p>" for p in text.split("\n") if p.strip())
            out.append(f"<h3>{title}</h3>{paragraphs}")
        if section.sources:
            listed = "; ".join(f"{e(s.kind)} {e(s.ref)}" for s in section.sources)
            out.append(f'<p class="src">Drafted from: {listed}.</p>')
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def report_docx(report: MechanismReport) -> bytes:
    """The mechanism report as a Word document: each figure with its source and records."""
    import docx

    document = docx.Document()
    title = f"GCM capacity-building mechanism: report {report.start} to {report.end}"
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph(report.message)
    for section in report.sections:
        document.add_heading(section.title, level=1)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ("Figure", "Value", "Source", "Records"), strict=True
        ):
            cell.text = text
        for figure in section.figures:
            cells = table.add_row().cells
            cells[0].text = figure.label
            value = "" if figure.value is None else str(figure.value)
            cells[1].text = f"{value} {figure.unit}".strip()
            cells[2].text = figure.source
            shown = figure.records[:20]
            cells[3].text = ", ".join(shown) + (
                f" (+{len(figure.records) - 20})" if len(figure.records) > 20 else ""
            )
    document.add_heading("Progress per objective", level=1)
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    heads = ("Objective", "Actions committed", "Commitments", "Status", "Requests", "Projects")
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    for item in report.objectives:
        cells = table.add_row().cells
        cells[0].text = f"{item.code}. {item.label}"
        cells[1].text = f"{item.actions_committed}/{item.actions} ({item.coverage_pct:g} %)"
        cells[2].text = str(item.commitments)
        cells[3].text = ", ".join(f"{k} {v}" for k, v in item.status.items() if v)
        cells[4].text = str(item.requests)
        cells[5].text = str(item.projects)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- downloads of the dashboard's figures ------------------------------------------------------


def _plain(row: BaseModel) -> dict[str, Any]:
    return row.model_dump(mode="json")


def _objective_row(row: ObjectiveProgress) -> dict[str, Any]:
    flat: dict[str, Any] = {
        "objective": row.code,
        "label": row.label,
        "actions": row.actions,
        "actions_committed": row.actions_committed,
        "coverage_pct": row.coverage_pct,
        "commitments": row.commitments,
        **{f"status_{k}": v for k, v in row.status.items()},
        "countries": joined(row.countries),
        "requests": row.requests,
        "projects": row.projects,
        "commitment_records": joined(row.records.get("commitments", [])),
        "request_records": joined(row.records.get("requests", [])),
        "project_records": joined(row.records.get("projects", [])),
        "pledges": row.pledges,
        "pledges_fulfilled": row.pledges_fulfilled,
        "pledge_mean_progress": row.pledge_mean_progress,
        "pledges_overdue": row.pledges_overdue,
        "events": row.events,
        "pledge_records": joined(row.records.get("pledges", [])),
        "event_records": joined(row.records.get("events", [])),
    }
    for trend in row.indicators:
        flat["indicator"] = trend.indicator
        flat["indicator_latest"] = trend.latest
        flat["indicator_target"] = trend.target
        flat["indicator_meets_target"] = trend.meets_target
    return flat


OBJECTIVES = Table(
    name="gcmhub-review-progress",
    columns=(
        "objective",
        "label",
        "actions",
        "actions_committed",
        "coverage_pct",
        "commitments",
        "status_planned",
        "status_ongoing",
        "status_completed",
        "status_stalled",
        "countries",
        "requests",
        "projects",
        "indicator",
        "indicator_latest",
        "indicator_target",
        "indicator_meets_target",
        "commitment_records",
        "request_records",
        "project_records",
        "pledges",
        "pledges_fulfilled",
        "pledge_mean_progress",
        "pledges_overdue",
        "events",
        "pledge_records",
        "event_records",
    ),
    flatten=_objective_row,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)


def _cell_row(row: MatrixCell) -> dict[str, Any]:
    return row.model_dump()


MATRIX = Table(
    name="gcmhub-review-matrix",
    columns=("region", "region_name", "objective", "value"),
    flatten=_cell_row,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)


def _partnership_row(row: PartnershipPublic) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "level": row.level,
        "partners": joined(row.partners),
        "stakeholders": joined(row.stakeholders),
        "objectives": joined(row.objectives),
        "countries": joined(row.countries),
        "start": row.start.isoformat() if row.start else "",
        "end": row.end.isoformat() if row.end else "",
        "results": len(row.results),
    }


PARTNERSHIPS = Table(
    name="gcmhub-review-partnerships",
    columns=(
        "id",
        "name",
        "level",
        "partners",
        "stakeholders",
        "objectives",
        "countries",
        "start",
        "end",
        "results",
    ),
    flatten=_partnership_row,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)


class ChangeRow(BaseModel):
    """One domain's change for one subject: a line of the capacity download."""

    country: str
    subject: str
    request: str | None
    project: str | None
    before: int | None
    after: int | None
    domain: str
    score_before: float | None
    score_after: float | None
    change: float | None


def change_rows(changes: list[CapacityChange]) -> list[ChangeRow]:
    """Flatten subjects' changes into one row per domain."""
    return [
        ChangeRow(
            country=c.country,
            subject=c.subject,
            request=c.request,
            project=c.project,
            before=c.before,
            after=c.after,
            domain=d.domain,
            score_before=d.before,
            score_after=d.after,
            change=d.change,
        )
        for c in changes
        for d in c.domains
    ]


CHANGES = Table(
    name="gcmhub-review-capacity",
    columns=tuple(ChangeRow.model_fields),
    flatten=_plain,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)


class FigureRow(BaseModel):
    """A figure of the mechanism report: a line of its download."""

    section: str
    key: str
    label: str
    value: int | float | str | None
    unit: str
    source: str
    records: str


def figure_rows(report: MechanismReport) -> list[FigureRow]:
    """The report's figures, one row each, records joined by semicolons."""
    return [
        FigureRow(
            section=s.title,
            key=f.key,
            label=f.label,
            value=f.value,
            unit=f.unit,
            source=f.source,
            records=joined(f.records),
        )
        for s in report.sections
        for f in s.figures
    ]


FIGURES = Table(
    name="gcmhub-review-report",
    columns=tuple(FigureRow.model_fields),
    flatten=_plain,
    context={"@vocab": "https://schema.org/"},
    node=_plain,
)
