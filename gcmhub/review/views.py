"""The review of implementation's pages: progress on the 23 objectives, for people.

`/review` (the progress dashboard: plan coverage, status mix, requests and projects per
objective, the community's pledges and events per objective, indicator trends against
targets, a region x objective heat map), a country's progress and national implementation
plan (`/review/countries/ISO3`) with what changed between two versions
(`/review/countries/ISO3/plan?from=N&to=M`), voluntary reviews (`/review/reviews`), the
partnerships registry (`/review/partnerships`), capacity development (`/review/capacity`)
and the mechanism report for a period (`/review/report`). Every figure
comes from the same back-end reads as the JSON API (gcmhub/review/progress.py, plans.py,
reviews.py, partnerships.py, capacity.py, report.py), every list links to its download, and
writes go through the API and the command line: these pages only read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Form
from pydantic import ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.auth import allowed
from gcmhub.community.pledges import PledgeFilter, pledge_list
from gcmhub.context import Context
from gcmhub.errors import BadParameter, GcmhubError, NotFound
from gcmhub.review import capacity, partnerships, plans, progress, report, reviews
from gcmhub.review.auth import CountryScope
from gcmhub.review.common import TOP_REGIONS, country_code
from gcmhub.review.models import Partnership, Plan
from gcmhub.review.schemas import LEVELS, STATUSES, DraftWrite, SectionWrite
from gcmhub.web.charts import bar_chart
from gcmhub.web.deps import ContextDep
from gcmhub.web.forms import attempt, invalid_message, only_parameters
from gcmhub.web.i18n import N_, negotiate
from gcmhub.web.session import CSRF_FIELD, check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)

# Plans and partnerships whose title starts so are the demonstration's
# (gcmhub/demo/data/review_demo.json).
DEMONSTRATION = "Demonstration"

STATUS_NAMES = {
    "planned": N_("Planned"),
    "ongoing": N_("Ongoing"),
    "completed": N_("Completed"),
    "stalled": N_("Stalled"),
}
MEASURE_NAMES = {
    "commitments": N_("Commitments in national plans"),
    "coverage": N_("Actions of the Compact with a commitment"),
    "requests": N_("Requests for support"),
    "projects": N_("Fund projects"),
}
LEVEL_NAMES = {
    "local": N_("Local"),
    "national": N_("National"),
    "bilateral": N_("Bilateral"),
    "regional": N_("Regional"),
    "global": N_("Global"),
}
FIELD_NAMES = {  # plans.FIELDS, marked for translation (a test keeps the two the same)
    "title": N_("Title"),
    "description": N_("Description"),
    "objectives": N_("Objectives"),
    "actions": N_("Actions"),
    "lead_institutions": N_("Lead institutions"),
    "partners": N_("Partners"),
    "start": N_("Start"),
    "end": N_("End"),
    "budget": N_("Budget"),
    "currency": N_("Currency"),
    "status": N_("Status"),
    "evidence": N_("Evidence"),
}
REGION_NAMES = {  # common.TOP_REGIONS, marked for translation
    "002": N_("Africa"),
    "019": N_("Americas"),
    "142": N_("Asia"),
    "150": N_("Europe"),
    "009": N_("Oceania"),
}
REPORT_SECTIONS = {  # report.py's section titles, marked for translation
    "Knowledge platform": N_("Knowledge platform"),
    "Connection hub": N_("Connection hub"),
    "Start-up fund": N_("Start-up fund"),
    "Review of implementation": N_("Review of implementation"),
}
REPORT_FIGURES = {  # report.py's figures by key, marked for translation
    "items_added": N_("Knowledge items added"),
    "requests_submitted": N_("Requests for support submitted"),
    "requests_answered": N_("Requests answered (resolved)"),
    "median_days_to_answer": N_("Median days from submission to resolution"),
    "allocated": N_("Money allocated to projects"),
    "transferred": N_("Transferred to participating organizations"),
    "expenditure": N_("Expenditure reported (delivered)"),
    "delivery_pct": N_("Delivery rate in the period"),
    "allocated_to_date": N_("Allocated to date"),
    "delivery_pct_to_date": N_("Delivery rate to date"),
    "plan_versions": N_("National plan versions saved"),
    "partnerships_registered": N_("Partnerships registered"),
    "capacity_assessments": N_("Capacity assessments recorded"),
}
SECTION_TEXTS = {
    "progress": N_("Progress"),
    "challenges": N_("Challenges"),
    "good_practices": N_("Good practices"),
    "support_needed": N_("Support needed"),
}
REVIEW_STATUSES = {"draft": N_("Draft"), "submitted": N_("Submitted")}
SHADES = 3  # heat-map shades above zero


# -- helpers ------------------------------------------------------------------------------------


def _day(name: str, value: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{name}: '{text[:20]}' is not a date (YYYY-MM-DD)") from None


def _version(name: str, value: str) -> int:
    text = value.strip()
    if not text.isdigit() or not 0 < int(text) < 100_000:
        raise BadParameter(name, f"{name}: a version number (1, 2, …)")
    return int(text)


@dataclass(frozen=True)
class Formats:
    """Numbers written the reader's way."""

    code: str

    def count(self, value: float | None) -> str:
        if value is None:
            return "—"
        return str(format_decimal(value, locale=self.code))

    def pct(self, value: float | None) -> str:
        """A value in per cent ("16.7%", "16,7 %")."""
        if value is None:
            return "—"
        exact = Decimal(str(value)).normalize() / 100
        return str(format_percent(exact, locale=self.code, decimal_quantization=False))

    def value(self, value: Any) -> str:
        """A figure of the report: a number, an amount written as text, or none."""
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            try:
                return str(format_decimal(Decimal(value), locale=self.code))
            except ArithmeticError:
                return value
        return str(format_decimal(value, locale=self.code))


def _demonstration(ctx: Context) -> bool:
    """Whether the demonstration's illustrative plan or partnerships are on record."""
    plan = ctx.session.scalar(select(Plan.id).where(Plan.title.like(f"{DEMONSTRATION}%")).limit(1))
    if plan is not None:
        return True
    found = ctx.session.scalar(
        select(Partnership.id).where(Partnership.name.like(f"{DEMONSTRATION}%")).limit(1)
    )
    return found is not None


def _places(ctx: Context, lang: str) -> dict[str, tuple[str, str]]:
    """Countries by ISO3 code: their name in the reader's language where the taxonomy has it
    (else English), and that language."""
    from gcmhub.taxonomy.models import Concept

    found: dict[str, tuple[str, str]] = {}
    rows = ctx.session.execute(
        select(Concept.code, Concept.label, Concept.labels).where(Concept.scheme_id == "country")
    )
    for code, label, labels in rows:
        own = (labels or {}).get(lang)
        found[code] = (own, lang) if own else (label, "en")
    return found


def _stakeholders(ctx: Context, lang: str) -> dict[str, tuple[str, str]]:
    """Stakeholder types by concept id ("stakeholder:government"): the taxonomy's name in the
    reader's language where it has one (else English), and that language."""
    from gcmhub.taxonomy.models import Concept

    found: dict[str, tuple[str, str]] = {}
    rows = ctx.session.execute(
        select(Concept.id, Concept.label, Concept.labels).where(Concept.scheme_id == "stakeholder")
    )
    for concept, label, labels in rows:
        own = (labels or {}).get(lang)
        found[concept] = (own, lang) if own else (label, "en")
    return found


def _page(
    request: Request, ctx: Context, template: str, status_code: int = 200, **context: Any
) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        active="review",
        demonstration=_demonstration(ctx),
        fmt=Formats(negotiate(request)),
        status_names=STATUS_NAMES,
        statuses=STATUSES,
        places=_places(ctx, negotiate(request)),
        **context,
    )


def shade(value: int, most: int) -> int:
    """The heat-map shade of a cell: 0 for none, else 1 to SHADES by its share of the most."""
    if value <= 0 or most <= 0:
        return 0
    return max(1, min(SHADES, -(-value * SHADES // most)))


def record_link(section: str, ref: str) -> str | None:
    """The page of a record the report counts (in a section of the report), where the site
    has one: knowledge items, hub requests, fund projects, plans, partnerships, capacity."""
    kind, _, rest = ref.partition(":")
    if kind == "project" and rest:
        return f"/fund/projects/{rest}"
    if kind == "plan" and rest:
        return f"/review/countries/{rest.split('/', 1)[0]}"
    if kind == "partnership":
        return "/review/partnerships"
    if kind == "capacity":
        return "/review/capacity"
    if ":" in ref:
        return None  # a ledger transaction: no page of its own
    if section == "Knowledge platform":
        return f"/items/{ref}"
    if section == "Connection hub":
        return f"/hub/requests/{ref}"
    return None


# -- the dashboard ------------------------------------------------------------------------------


@router.get("/review")
def dashboard_page(request: Request, ctx: ContextDep, measure: str = "commitments") -> Response:
    only_parameters(request, "measure")
    if measure not in progress.MEASURES:
        raise BadParameter("measure", f"measure: one of {', '.join(progress.MEASURES)}")
    rows = progress.objective_progress(ctx)
    matrix = progress.region_matrix(ctx, measure)
    cells = {(c.region, c.objective): c.value for c in matrix.cells}
    fmt = Formats(negotiate(request))
    chart = bar_chart(
        [(f"{r.code}. {r.label}", [r.coverage_pct]) for r in rows if r.actions_committed],
        fmt.pct,
        limit=23,
    )
    return _page(
        request,
        ctx,
        "review.html",
        rows=rows,
        matrix=matrix,
        cells=cells,
        shade=shade,
        shades=SHADES,
        measure=measure,
        measures=MEASURE_NAMES,
        region_names=REGION_NAMES,
        regions=list(TOP_REGIONS),
        chart=chart,
        trends=[(r, t) for r in rows for t in r.indicators],
        plans=plans.plan_list(ctx),
        community=progress.community_progress(ctx),
    )


# -- a country ----------------------------------------------------------------------------------


@router.get("/review/countries/{iso3}")
def country_page(request: Request, ctx: ContextDep, iso3: str, version: str = "") -> Response:
    only_parameters(request, "version")
    if len(iso3) > 60:
        raise NotFound("no such country")
    try:
        code = country_code(ctx, iso3)
    except GcmhubError:
        raise NotFound(f"no country '{iso3[:60]}'") from None
    chosen = _version("version", version) if version else None
    found = progress.country_progress(ctx, code)
    plan = None
    if found.plan_version is not None:
        plan = plans.plan_show(ctx, code, chosen)
    elif chosen is not None:
        raise NotFound(f"{found.country_name} has no implementation plan yet")
    return _page(
        request,
        ctx,
        "review_country.html",
        p=found,
        plan=plan,
        trends=[(r, t) for r in found.objectives for t in r.indicators],
        worked=[r for r in found.objectives if r.commitments or r.requests or r.projects],
        reviews=reviews.review_list(ctx, code),
        pledges=pledge_list(ctx, PledgeFilter(country=code)),
    )


@router.get("/review/countries/{iso3}/plan")
def plan_diff_page(request: Request, ctx: ContextDep, iso3: str) -> Response:
    # `from` and `to` are Python words: read them by hand.
    only_parameters(request, "from", "to")
    plan = plans.plan_show(ctx, iso3)
    last = _version("to", request.query_params.get("to", str(plan.latest_version)))
    first = _version("from", request.query_params.get("from", str(max(1, last - 1))))
    diff = plans.plan_diff(ctx, plan.country, first, last)
    return _page(
        request,
        ctx,
        "review_diff.html",
        plan=plan,
        diff=diff,
        field_names=FIELD_NAMES,
    )


# -- voluntary reviews --------------------------------------------------------------------------


@router.get("/review/reviews")
def reviews_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    return _page(
        request,
        ctx,
        "review_reviews.html",
        found=reviews.review_list(ctx),
        review_statuses=REVIEW_STATUSES,
    )


@router.get("/review/reviews/{review_id}")
def review_page(request: Request, ctx: ContextDep, review_id: str, done: str = "") -> Response:
    only_parameters(request, "done")
    return _review_page(request, ctx, _review_id(review_id), done=DONE.get(done))


DONE = {"section": N_("The section is saved."), "draft": N_("The sections are drafted.")}


def _review_id(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise NotFound(f"no review {value[:20]}")
    return int(value)


def _review_page(
    request: Request,
    ctx: Context,
    review_id: int,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    shown = reviews.review_show(ctx, review_id)
    return _page(
        request,
        ctx,
        "review_review.html",
        status_code=status_code,
        r=shown,
        review_statuses=REVIEW_STATUSES,
        texts=SECTION_TEXTS,
        can_write=allowed(ctx.actor, "voluntary_review_write", CountryScope(shown.country)),
        csrf=getattr(request.state, "csrf", None),
        done=done,
        error=error,
    )


def _review_act(
    request: Request, ctx: Context, review_id: int, done: str, action: Callable[[], Any]
) -> Response:
    """Run a review page's form: a refusal shows on the page, with nothing stored."""
    try:
        attempt(ctx, action)
    except ValidationError as invalid:
        return _review_page(
            request, ctx, review_id, error=invalid_message(invalid), status_code=422
        )
    except NotFound:
        raise
    except GcmhubError as refused:
        return _review_page(request, ctx, review_id, error=str(refused), status_code=refused.status)
    return RedirectResponse(f"/review/reviews/{review_id}?done={done}", status_code=303)


CsrfField = Annotated[str, Form(alias=CSRF_FIELD)]
SectionText = Annotated[str, Form(max_length=20_000)]


@router.post(
    "/review/reviews/{review_id}/sections/{objective}",
    openapi_extra={"x-rule": "voluntary_review_write"},
)
def review_section_submit(
    request: Request,
    ctx: ContextDep,
    review_id: str,
    objective: str,
    csrf: CsrfField,
    progress: SectionText = "",
    challenges: SectionText = "",
    good_practices: SectionText = "",
    support_needed: SectionText = "",
) -> Response:
    check_form(request, ctx, csrf)
    number = _review_id(review_id)
    return _review_act(
        request,
        ctx,
        number,
        "section",
        lambda: reviews.section_write(
            ctx,
            number,
            objective[:20],
            SectionWrite(
                progress=progress,
                challenges=challenges,
                good_practices=good_practices,
                support_needed=support_needed,
            ),
        ),
    )


@router.post(
    "/review/reviews/{review_id}/draft", openapi_extra={"x-rule": "voluntary_review_write"}
)
def review_draft_submit(
    request: Request,
    ctx: ContextDep,
    review_id: str,
    csrf: CsrfField,
    overwrite: Annotated[bool, Form()] = False,
) -> Response:
    check_form(request, ctx, csrf)
    number = _review_id(review_id)
    return _review_act(
        request,
        ctx,
        number,
        "draft",
        lambda: reviews.review_draft(ctx, number, DraftWrite(overwrite=overwrite)),
    )


# -- partnerships -------------------------------------------------------------------------------


@router.get("/review/partnerships")
def partnerships_page(
    request: Request,
    ctx: ContextDep,
    level: str = "",
    objective: str = "",
    stakeholder: str = "",
) -> Response:
    only_parameters(request, "level", "objective", "stakeholder")
    if level and level not in LEVELS:
        raise BadParameter("level", f"level: one of {', '.join(LEVELS)}")
    if len(objective) > 40 or len(stakeholder) > 100:
        raise BadParameter("objective" if len(objective) > 40 else "stakeholder", "too long")
    found = partnerships.partnership_list(
        ctx, level=level or None, objective=objective or None, stakeholder=stakeholder or None
    )
    measures = partnerships.partnership_measures(
        ctx, level=level or None, objective=objective or None, stakeholder=stakeholder or None
    )
    filters = {"level": level, "objective": objective, "stakeholder": stakeholder}
    every = partnerships.partnership_list(ctx)
    params = [(k, v) for k, v in filters.items() if v]
    return _page(
        request,
        ctx,
        "review_partnerships.html",
        found=found,
        m=measures,
        levels=LEVEL_NAMES,
        chosen={"level": level, "objective": objective, "stakeholder": stakeholder},
        stakeholder_types=sorted({s for p in every for s in p.stakeholders}),
        stakeholder_names=_stakeholders(ctx, negotiate(request)),
        download="/api/v1/review/partnerships?" + "".join(f"{k}={v}&" for k, v in params),
    )


# -- capacity -----------------------------------------------------------------------------------


@router.get("/review/capacity")
def capacity_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request)
    fmt = Formats(negotiate(request))
    changes = capacity.capacity_changes(ctx)
    charts = [
        bar_chart(
            [(d.label, [d.before or 0.0, d.after or 0.0]) for d in change.domains],
            fmt.count,
            limit=len(change.domains),
        )
        for change in changes
    ]
    return _page(
        request,
        ctx,
        "review_capacity.html",
        changes=list(zip(changes, charts, strict=True)),
        domains=capacity.domains(),
        assessments=capacity.assessment_list(ctx),
    )


# -- the mechanism report -----------------------------------------------------------------------


@router.get("/review/report")
def report_page(request: Request, ctx: ContextDep) -> Response:
    only_parameters(request, "from", "to")
    today = date.today()
    given_from = request.query_params.get("from", "")
    given_to = request.query_params.get("to", "")
    start = _day("from", given_from) or date(today.year, 1, 1)
    end = _day("to", given_to) or date(today.year, 12, 31)
    found = report.mechanism_report(ctx, start, end)
    query = f"from={start.isoformat()}&to={end.isoformat()}"
    return _page(
        request,
        ctx,
        "review_report.html",
        r=found,
        start=start,
        end=end,
        section_names=REPORT_SECTIONS,
        figure_names=REPORT_FIGURES,
        record_link=record_link,
        download=f"/api/v1/review/report?{query}",
    )
