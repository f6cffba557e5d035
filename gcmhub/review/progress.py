"""Progress on the 23 objectives, per objective and per country, and by region.

For each objective (all countries, or one):
- plan coverage: how many of the objective's actions in the Compact have at least one
  commitment in a national plan's current version, out of all its actions;
- the status mix of those commitments (planned, ongoing, completed, stalled);
- hub requests on the objective (as the reader may see them: `gcmhub.hub.listing`), and
  fund projects on it (`gcmhub.fund.projects.project_list`);
- indicator trends against targets where the indicators part gives them (INDICATORS):
  SDG 10.c.1 (cost of sending remittances, target 3 %) for objective 20, SDG 10.7.1
  (recruitment cost, to be reduced: no number) for objective 6 and SDG 10.7.2 (migration
  policies, "meets" = category 3 or better) for objective 23, the objective on international
  cooperation the indicator's six policy domains serve together.

Each figure lists the records it counts (`records`), so it can be traced. The region x
objective matrix counts the same things by M49 continental region.

The community's pledges and events count per objective too (`community_progress`): pledges
(withdrawn ones left out), how many are fulfilled, their mean progress, how many are overdue,
and events (cancelled ones left out); their refs are also in each objective's `records`
("pledges", "events").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from gcmhub.context import Context
from gcmhub.errors import GcmhubError
from gcmhub.review.common import (
    TOP_REGIONS,
    Objective,
    country_code,
    country_name,
    country_region,
    objective_of,
    objectives,
)
from gcmhub.review.models import Commitment
from gcmhub.review.plans import commitments_current
from gcmhub.review.schemas import (
    STATUSES,
    CountryProgress,
    IndicatorTrend,
    MatrixCell,
    ObjectiveProgress,
    RegionMatrix,
    TrendPoint,
)

MEASURES = ("commitments", "coverage", "requests", "projects")
FIRST_COST_YEAR = 2011  # the first year of Remittance Prices Worldwide corridor averages


@dataclass
class Known:
    """What the other parts know about a country (or all): requests and projects."""

    requests: list[tuple[str, str | None, list[str]]] = field(default_factory=list)
    projects: list[tuple[str, str | None, list[str]]] = field(default_factory=list)


def known(ctx: Context, country: str | None = None) -> Known:
    """Hub requests (as the reader may see them) and fund projects, with their objectives."""
    from gcmhub.fund.projects import project_list
    from gcmhub.hub.listing import RequestFilter, request_list

    found = Known()
    offset = 0
    while True:
        page = request_list(ctx, RequestFilter(country=country), offset=offset, limit=1000)
        for row in page.requests:
            found.requests.append((row.id, row.country, [f"objective:{o}" for o in row.objectives]))
        if page.next is None:
            break
        offset += 1000
    for project in project_list(ctx, country=country):
        found.projects.append((project.id, project.country, list(project.objectives)))
    return found


def _progress(
    objective: Objective,
    commitments: list[tuple[str, Commitment]],
    facts: Known,
) -> ObjectiveProgress:
    mine = [(c, row) for c, row in commitments if objective.id in row.objectives]
    committed = sorted({a for _, row in mine for a in row.actions if a in objective.actions})
    status = dict.fromkeys(STATUSES, 0)
    for _, row in mine:
        status[row.status] = status.get(row.status, 0) + 1
    requests = [ref for ref, _, objs in facts.requests if objective.id in objs]
    projects = [ref for ref, _, objs in facts.projects if objective.id in objs]
    total = len(objective.actions)
    return ObjectiveProgress(
        objective=objective.id,
        code=objective.code,
        label=objective.label,
        actions=total,
        actions_committed=len(committed),
        coverage_pct=round(100 * len(committed) / total, 1) if total else 0.0,
        commitments=len(mine),
        status=status,
        countries=sorted({c for c, _ in mine}),
        requests=len(requests),
        projects=len(projects),
        records={
            "commitments": [f"{c}/{row.key}" for c, row in mine],
            "actions": committed,
            "requests": requests,
            "projects": projects,
        },
    )


@dataclass(frozen=True)
class CommunityProgress:
    """Pledges and events on one objective (an action counts for its objective)."""

    objective: str
    code: str
    label: str
    pledges: int  # withdrawn ones left out
    fulfilled: int
    mean_progress: float | None  # per cent, over the pledges counted
    overdue: int
    events: int  # cancelled ones left out
    records: dict[str, list[str]]


def community_progress(ctx: Context, country: str | None = None) -> list[CommunityProgress]:
    """Pledges and events per objective, for all countries or one (the pledging State or
    where the pledge applies; where the event takes place)."""
    from gcmhub.community.events import EventFilter, event_list
    from gcmhub.community.pledges import PledgeFilter, pledge_list

    pledges = [
        p for p in pledge_list(ctx, PledgeFilter(country=country)) if p.status != "withdrawn"
    ]
    events = event_list(ctx, EventFilter(country=country, status="active"))
    on_pledges = [(p, {objective_of(ctx, c) for c in p.objectives}) for p in pledges]
    on_events = [(e, {objective_of(ctx, c) for c in e.objectives}) for e in events]
    out = []
    for objective in objectives(ctx):
        mine = [p for p, objs in on_pledges if objective.id in objs]
        held = [e for e, objs in on_events if objective.id in objs]
        out.append(
            CommunityProgress(
                objective=objective.id,
                code=objective.code,
                label=objective.label,
                pledges=len(mine),
                fulfilled=sum(p.status == "fulfilled" for p in mine),
                mean_progress=round(sum(p.progress for p in mine) / len(mine), 1) if mine else None,
                overdue=sum(p.overdue for p in mine),
                events=len(held),
                records={
                    "pledges": [f"pledge:{p.id}" for p in mine],
                    "events": [f"event:{e.id}" for e in held],
                },
            )
        )
    return out


def _with_community(
    ctx: Context, rows: list[ObjectiveProgress], country: str | None = None
) -> None:
    """Add each objective's pledges and events: their counts and their refs in its records."""
    by_objective = {c.objective: c for c in community_progress(ctx, country)}
    for row in rows:
        found = by_objective.get(row.objective)
        if found is not None:
            row.pledges = found.pledges
            row.pledges_fulfilled = found.fulfilled
            row.pledge_mean_progress = found.mean_progress
            row.pledges_overdue = found.overdue
            row.events = found.events
            row.records.update(found.records)


def objective_progress(ctx: Context, trends: bool = True) -> list[ObjectiveProgress]:
    """Progress on every objective across all countries."""
    commitments = commitments_current(ctx)
    facts = known(ctx)
    out = [_progress(o, commitments, facts) for o in objectives(ctx)]
    _with_community(ctx, out)
    if trends:
        for item in out:
            if item.code == "20":
                item.indicators = [_global_cost(ctx)]
    return out


def country_progress(ctx: Context, country: str) -> CountryProgress:
    """A country's progress on every objective, with its indicator trends."""
    from gcmhub.review.plans import _plan

    code = country_code(ctx, country)
    commitments = commitments_current(ctx, code)
    facts = known(ctx, code)
    trends = country_trends(ctx, code)
    out = []
    for objective in objectives(ctx):
        item = _progress(objective, commitments, facts)
        item.indicators = trends.get(objective.code, [])
        out.append(item)
    _with_community(ctx, out, code)
    plan = _plan(ctx, code)
    return CountryProgress(
        country=code,
        country_name=country_name(ctx, code),
        plan_version=plan.version if plan else None,
        objectives=out,
    )


def _meets(value: float | None, target: float | None, better: str) -> bool | None:
    if value is None or target is None:
        return None
    return value <= target if better == "lower" else value >= target


def _trend(
    indicator: str,
    label: str,
    unit: str,
    target: float | None,
    better: str,
    points: list[TrendPoint],
    source: str,
) -> IndicatorTrend:
    points = sorted(points, key=lambda p: p.year)
    latest = points[-1].value if points else None
    return IndicatorTrend(
        indicator=indicator,
        label=label,
        unit=unit,
        target=target,
        better="lower" if better == "lower" else "higher",
        points=points,
        latest=latest,
        meets_target=_meets(latest, target, better),
        source=source,
    )


def country_trends(ctx: Context, code: str) -> dict[str, list[IndicatorTrend]]:
    """The indicator trends of a country, by objective code (empty where no data)."""
    from gcmhub.indicators.costs import TARGET
    from gcmhub.indicators.profiles import country_profile
    from gcmhub.indicators.series import recruitment_public

    try:
        profile = country_profile(ctx, code)
    except GcmhubError:
        return {}
    out: dict[str, list[IndicatorTrend]] = defaultdict(list)
    costs = [TrendPoint(year=c.year, value=c.to_country) for c in profile.costs if c.to_country]
    if costs:
        out["20"].append(
            _trend(
                "SDG 10.c.1",
                f"Average cost of sending USD 200 to {profile.name}",
                "%",
                TARGET,
                "lower",
                costs,
                "gcmhub.indicators.profiles.country_profile: costs.to_country "
                "(SI.RMT.COST.IB.ZS, computed from RPW corridor averages)",
            )
        )
    policy = [
        TrendPoint(year=p.year, value=float(p.category))
        for p in profile.sdg_10_7_2
        if p.category is not None
    ]
    if policy:
        out["23"].append(
            _trend(
                "SDG 10.7.2",
                "Migration policies: category 1-4 (3: meets, 4: fully meets)",
                "category",
                3.0,
                "higher",
                policy,
                "gcmhub.indicators.profiles.country_profile: sdg_10_7_2 (self-reported)",
            )
        )
    months: dict[int, list[float]] = defaultdict(list)
    for row in recruitment_public(ctx, code):
        value, year = row.get("months"), row.get("year")
        if isinstance(value, int | float) and isinstance(year, int):
            months[year].append(float(value))
    if months:
        out["6"].append(
            _trend(
                "SDG 10.7.1",
                "Recruitment cost borne by the employee (months of first-month earnings)",
                "months",
                None,
                "lower",
                [TrendPoint(year=y, value=round(sum(v) / len(v), 2)) for y, v in months.items()],
                "gcmhub.indicators.series.recruitment_public: the mean of the year's published "
                "results (small samples withheld)",
            )
        )
    return dict(out)


def _global_cost(ctx: Context) -> IndicatorTrend:
    from gcmhub.indicators.costs import TARGET, sdg_10c1

    points = []
    for year in range(FIRST_COST_YEAR, date.today().year + 1):
        try:
            figure = sdg_10c1(ctx, year)
        except GcmhubError:
            continue
        points.append(TrendPoint(year=year, value=round(figure.simple_average, 2)))
    return _trend(
        "SDG 10.c.1",
        "Global average cost of sending USD 200 (simple average of corridors)",
        "%",
        TARGET,
        "lower",
        points,
        "gcmhub.indicators.costs.sdg_10c1 (RPW corridor averages)",
    )


def region_matrix(ctx: Context, measure: str = "commitments") -> RegionMatrix:
    """Regions by objectives: commitments, actions covered, requests or projects per cell."""
    from gcmhub.errors import BadParameter

    if measure not in MEASURES:
        raise BadParameter("measure", f"measure is one of {', '.join(MEASURES)}")
    everything = objectives(ctx)
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    if measure in ("commitments", "coverage"):
        for country, row in commitments_current(ctx):
            found = country_region(ctx, country)
            if found is None:
                continue
            region = found
            for objective in row.objectives:
                if measure == "commitments":
                    values[(region, objective)].add(f"{country}/{row.key}")
                else:
                    values[(region, objective)].update(
                        a for a in row.actions if objective_of(ctx, a) == objective
                    )
    else:
        facts = known(ctx)
        rows = facts.requests if measure == "requests" else facts.projects
        for ref, where, objs in rows:
            place = country_region(ctx, where) if where else None
            if place is None:
                continue
            for objective in objs:
                values[(place, objective)].add(ref)
    cells = [
        MatrixCell(
            region=region,
            region_name=name,
            objective=o.code,
            value=len(values.get((region, o.id), set())),
        )
        for region, name in TOP_REGIONS.items()
        for o in everything
    ]
    return RegionMatrix(
        measure=measure,
        regions=list(TOP_REGIONS),
        objectives=[o.code for o in everything],
        cells=cells,
        max=max((c.value for c in cells), default=0),
    )
