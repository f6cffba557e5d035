"""The partnerships registry: who works together on the Compact, at which level, on what.

A partnership names its partners, its level (local, national, bilateral, regional, global:
the taxonomy's `level` scheme), the stakeholder types involved (the `stakeholder` scheme:
migrants, diasporas, civil society, academia, the private sector…, GCM para 15(j)), the
objectives it serves, its countries, dates and the results it reports.

Measures (`partnership_measures`): how many partnerships, by level; how many involve each
stakeholder type and how many types are involved at all; the diversity of stakeholder types;
the objectives covered; how many report results and how many results.

Diversity is the **Shannon index** H = -sum(p_i ln p_i) over stakeholder types, where p_i is
type i's share of all (partnership, type) involvements, with Pielou's evenness J = H / ln S
(S types involved; 0 to 1). Shannon rather than Simpson because the Compact's
whole-of-society approach asks for breadth: Shannon grows with every additional type,
including rarely involved ones such as trade unions or national human rights institutions,
while Simpson's index is dominated by the most common types and barely moves when a rare
one joins. Evenness then says whether the involvement is spread or concentrated on a few.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.review.auth import PartnershipScope
from gcmhub.review.common import concept_list, country_code
from gcmhub.review.models import Partnership
from gcmhub.review.schemas import (
    LEVELS,
    PartnershipMeasures,
    PartnershipPublic,
    PartnershipUpdate,
    PartnershipWrite,
    ResultWrite,
)


def _countries(ctx: Context, names: list[str]) -> list[str]:
    out: list[str] = []
    for index, name in enumerate(names):
        code = country_code(ctx, name, f"countries.{index}")
        if code not in out:
            out.append(code)
    return sorted(out)


def _names(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        text = " ".join(value.split())
        if text and text not in out:
            out.append(text)
    return out


def _results(results: list[ResultWrite]) -> list[dict[str, Any]]:
    return [
        {
            "text": r.text.strip(),
            "reported_on": r.reported_on.isoformat() if r.reported_on else None,
            "url": r.url,
        }
        for r in results
    ]


def _values(ctx: Context, data: PartnershipWrite | PartnershipUpdate) -> dict[str, Any]:
    """The fields given, checked and resolved (concept ids, ISO3 codes)."""
    values: dict[str, Any] = {}
    given = data.model_dump(exclude_unset=True)
    if "name" in given and data.name is not None:
        values["name"] = " ".join(data.name.split())
    if "description" in given and data.description is not None:
        values["description"] = data.description.strip()
    if "level" in given and data.level is not None:
        values["level"] = data.level
    if "partners" in given and data.partners is not None:
        values["partners"] = _names(data.partners)
        if not values["partners"]:
            raise InvalidInput("partners: name at least one partner")
    if "stakeholders" in given and data.stakeholders is not None:
        values["stakeholders"] = concept_list(ctx, data.stakeholders, "stakeholder", "stakeholders")
    if "objectives" in given and data.objectives is not None:
        values["objectives"] = concept_list(ctx, data.objectives, "objective", "objectives")
        actions = [o for o in values["objectives"] if ":" in o and not o.split(":")[1].isdigit()]
        if actions:
            raise InvalidInput(f"objectives: {actions[0]} is an action; name its objective")
    if "countries" in given and data.countries is not None:
        values["countries"] = _countries(ctx, data.countries)
    for name in ("start", "end"):
        if name in given:
            values[name] = getattr(data, name)
    if "results" in given and data.results is not None:
        values["results"] = _results(data.results)
    return values


def _public(row: Partnership) -> PartnershipPublic:
    return PartnershipPublic(
        id=row.id,
        name=row.name,
        description=row.description,
        level=row.level,
        partners=row.partners,
        stakeholders=row.stakeholders,
        objectives=row.objectives,
        countries=row.countries,
        start=row.start,
        end=row.end,
        results=[ResultWrite(**r) for r in row.results],
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _snapshot(row: Partnership) -> dict[str, Any]:
    return {
        "name": row.name,
        "level": row.level,
        "partners": row.partners,
        "stakeholders": row.stakeholders,
        "objectives": row.objectives,
        "countries": row.countries,
        "start": row.start.isoformat() if row.start else None,
        "end": row.end.isoformat() if row.end else None,
        "results": len(row.results),
    }


def partnership_create(ctx: Context, data: PartnershipWrite) -> PartnershipPublic:
    """Register a partnership."""
    authorize(ctx, "partnership_create")
    values = _values(ctx, data)
    if data.start and data.end and data.end < data.start:
        raise InvalidInput("end: the partnership ends before it starts")
    stamp = now()
    row = Partnership(
        **{
            "description": "",
            "stakeholders": [],
            "objectives": [],
            "countries": [],
            "results": [],
            "start": None,
            "end": None,
            **values,
        },
        owner_id=ctx.actor.user_id,
        created_by=ctx.actor.name,
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit_record(ctx, "partnership_create", f"partnership:{row.id}", None, _snapshot(row))
    return _public(row)


def _get(ctx: Context, partnership_id: int) -> Partnership:
    row = ctx.session.get(Partnership, partnership_id)
    if row is None:
        raise NotFound(f"no partnership {partnership_id}")
    return row


def partnership_update(
    ctx: Context, partnership_id: int, data: PartnershipUpdate
) -> PartnershipPublic:
    """Change a partnership (its countries must stay the focal point's own)."""
    row = _get(ctx, partnership_id)
    authorize(ctx, "partnership_update", PartnershipScope(row.owner_id, frozenset(row.countries)))
    values = _values(ctx, data)
    if "countries" in values:
        authorize(
            ctx,
            "partnership_update",
            PartnershipScope(row.owner_id, frozenset(values["countries"])),
        )
    before = _snapshot(row)
    for name, value in values.items():
        setattr(row, name, value)
    if row.start and row.end and row.end < row.start:
        raise InvalidInput("end: the partnership ends before it starts")
    row.updated_at = now()
    ctx.session.flush()
    audit_record(ctx, "partnership_update", f"partnership:{row.id}", before, _snapshot(row))
    return _public(row)


def partnership_show(ctx: Context, partnership_id: int) -> PartnershipPublic:
    """One partnership."""
    return _public(_get(ctx, partnership_id))


def partnership_list(
    ctx: Context,
    level: str | None = None,
    objective: str | None = None,
    country: str | None = None,
    stakeholder: str | None = None,
    active_on: date | None = None,
) -> list[PartnershipPublic]:
    """The partnerships that pass the filters, in the order they were registered."""
    from gcmhub.errors import BadParameter

    if level is not None and level not in LEVELS:
        raise BadParameter("level", f"level is one of {', '.join(LEVELS)}")
    try:
        wanted_objective = (
            concept_list(ctx, [objective], "objective", "objective")[0] if objective else None
        )
        wanted_stakeholder = (
            concept_list(ctx, [stakeholder], "stakeholder", "stakeholder")[0]
            if stakeholder
            else None
        )
        wanted_country = country_code(ctx, country) if country else None
    except InvalidInput as error:
        name = "objective" if objective else "stakeholder" if stakeholder else "country"
        raise BadParameter(name, str(error)) from None
    query = select(Partnership).order_by(Partnership.id)
    if level is not None:
        query = query.where(Partnership.level == level)
    out = []
    for row in ctx.session.scalars(query):
        if wanted_objective and wanted_objective not in row.objectives:
            continue
        if wanted_stakeholder and wanted_stakeholder not in row.stakeholders:
            continue
        if wanted_country and wanted_country not in row.countries:
            continue
        if active_on and (
            (row.start and row.start > active_on) or (row.end and row.end < active_on)
        ):
            continue
        out.append(_public(row))
    return out


def shannon(counts: list[int]) -> tuple[float | None, float | None]:
    """The Shannon index H (natural log) of counts, and Pielou's evenness H / ln S."""
    total = sum(counts)
    present = [c for c in counts if c > 0]
    if not total:
        return None, None
    h = -sum(c / total * math.log(c / total) for c in present)
    evenness = h / math.log(len(present)) if len(present) > 1 else None
    return round(h, 4), round(evenness, 4) if evenness is not None else None


def partnership_measures(ctx: Context, **filters: Any) -> PartnershipMeasures:
    """Measures of the partnerships that pass the filters (method in the module's docstring)."""
    rows = partnership_list(ctx, **filters)
    types: Counter[str] = Counter()
    objectives: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for row in rows:
        types.update(set(row.stakeholders))
        objectives.update(set(row.objectives))
        levels[row.level] += 1
    h, evenness = shannon(list(types.values()))
    return PartnershipMeasures(
        partnerships=len(rows),
        by_level={level: levels.get(level, 0) for level in LEVELS},
        stakeholder_types=dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        distinct_stakeholder_types=len(types),
        shannon=h,
        evenness=evenness,
        objectives_covered=len(objectives),
        by_objective=dict(sorted(objectives.items(), key=lambda kv: int(kv[0].split(":")[1]))),
        with_results=sum(1 for row in rows if row.results),
        results_reported=sum(len(row.results) for row in rows),
        ids=[row.id for row in rows],
    )
