"""Capacity development measured: before and after assessments on a set of domains.

The domains are configurable: by default the six domains of the Migration Governance
Indicators (MGI) [M] shipped in `data/capacity-domains.csv` (migrant rights,
whole-of-government approach, partnerships, well-being of migrants, mobility dimensions of
crises, safe, orderly and regular migration; the definitions are paraphrases to check
against IOM's MGI framework), or any CSV file with the columns `id,label,definition,
scale_max` named by GCMHUB_REVIEW_CAPACITY_DOMAINS. A score is a number from 0 to the
domain's `scale_max`.

An assessment scores some or all domains for a country and a subject (what capacity is being
built), before or after support, on a date, linked to a hub request and/or a fund project
(each checked to exist through the hub's and the fund's read actions: an unknown one is a
422 naming it). The change of a subject (country, subject, request, project) compares the
latest assessment before with the latest after, dated on or after it, domain by domain.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import GcmhubError, InvalidInput
from gcmhub.review.auth import CountryScope
from gcmhub.review.common import country_code
from gcmhub.review.models import CapacityAssessment
from gcmhub.review.schemas import (
    AssessmentPublic,
    AssessmentWrite,
    CapacityChange,
    Domain,
    DomainChange,
)
from gcmhub.settings import get_settings


def domains() -> list[Domain]:
    """The domains in force (GCMHUB_REVIEW_CAPACITY_DOMAINS, else the shipped MGI six)."""
    path = get_settings().review_capacity_domains
    if path is not None:
        return list(_read(Path(path).read_text(encoding="utf-8-sig"), str(path)))
    text = files("gcmhub.review").joinpath("data", "capacity-domains.csv").read_text("utf-8")
    return list(_read(text, "capacity-domains.csv"))


@lru_cache(maxsize=8)
def _read(text: str, name: str) -> tuple[Domain, ...]:
    found: list[Domain] = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            domain = Domain(
                id=row["id"].strip(),
                label=row["label"].strip(),
                definition=(row.get("definition") or "").strip(),
                scale_max=float(row.get("scale_max") or 5),
            )
        except (KeyError, ValueError, AttributeError) as error:
            raise InvalidInput(f"{name} line {number}: {error}") from None
        if not domain.id or domain.scale_max <= 0:
            raise InvalidInput(f"{name} line {number}: an id and a scale_max above 0")
        found.append(domain)
    if not found:
        raise InvalidInput(f"{name}: no domain")
    return tuple(found)


def _check_ref(ctx: Context, kind: str, ref: str | None) -> str | None:
    if ref is None or not ref.strip():
        return None
    ref = ref.strip()
    try:
        if kind == "request":
            from gcmhub.hub.requests import request_show

            return request_show(ctx, ref).id
        from gcmhub.fund.projects import project_show

        return project_show(ctx, ref).id
    except GcmhubError:
        raise InvalidInput(
            f"{kind}: no {'hub request' if kind == 'request' else 'fund project'} '{ref[:40]}'"
        ) from None


def _public(row: CapacityAssessment) -> AssessmentPublic:
    return AssessmentPublic(
        id=row.id,
        country=row.country,
        subject=row.subject,
        kind=row.kind,
        assessed_on=row.assessed_on,
        scores=row.scores,
        request=row.request_ref,
        project=row.project_ref,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def assessment_create(ctx: Context, data: AssessmentWrite) -> AssessmentPublic:
    """Record an assessment; scores on unknown domains or off the scale are refused (422)."""
    code = country_code(ctx, data.country)
    authorize(ctx, "capacity_write", CountryScope(code))
    known = {d.id: d for d in domains()}
    scores: dict[str, float] = {}
    for domain, score in data.scores.items():
        if domain not in known:
            raise InvalidInput(f"scores.{domain[:40]}: not a capacity domain ({', '.join(known)})")
        if not 0 <= score <= known[domain].scale_max:
            raise InvalidInput(
                f"scores.{domain}: {score:g} is off the scale 0-{known[domain].scale_max:g}"
            )
        scores[domain] = float(score)
    request = _check_ref(ctx, "request", data.request)
    project = _check_ref(ctx, "project", data.project)
    row = CapacityAssessment(
        country=code,
        subject=" ".join(data.subject.split()),
        kind=data.kind,
        assessed_on=data.assessed_on,
        scores=scores,
        request_ref=request,
        project_ref=project,
        note=data.note.strip(),
        created_by=ctx.actor.name,
        created_at=now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit_record(
        ctx,
        "capacity_write",
        f"capacity:{row.id}",
        None,
        {
            "country": code,
            "kind": row.kind,
            "scores": scores,
            "request": request,
            "project": project,
        },
    )
    return _public(row)


def assessment_list(
    ctx: Context,
    country: str | None = None,
    request: str | None = None,
    project: str | None = None,
) -> list[AssessmentPublic]:
    """Assessments, oldest first, filtered by country, hub request or fund project."""
    query = select(CapacityAssessment).order_by(
        CapacityAssessment.assessed_on, CapacityAssessment.id
    )
    if country:
        query = query.where(CapacityAssessment.country == country_code(ctx, country))
    if request:
        query = query.where(CapacityAssessment.request_ref == request)
    if project:
        query = query.where(CapacityAssessment.project_ref == project)
    return [_public(row) for row in ctx.session.scalars(query)]


def capacity_changes(
    ctx: Context,
    country: str | None = None,
    request: str | None = None,
    project: str | None = None,
) -> list[CapacityChange]:
    """For each subject, the change per domain from the latest before to the latest after."""
    groups: dict[tuple[str, str, str | None, str | None], list[AssessmentPublic]] = defaultdict(
        list
    )
    for row in assessment_list(ctx, country, request, project):
        groups[(row.country, row.subject, row.request, row.project)].append(row)
    labels = {d.id: d.label for d in domains()}
    out = []
    for (code, subject, req, proj), rows in groups.items():
        befores = [r for r in rows if r.kind == "before"]
        base = befores[-1] if befores else None
        afters = [
            r
            for r in rows
            if r.kind == "after" and (base is None or r.assessed_on >= base.assessed_on)
        ]
        end = afters[-1] if afters else None
        names = list(dict.fromkeys([*(base.scores if base else {}), *(end.scores if end else {})]))
        changes = []
        for name in names:
            before = base.scores.get(name) if base else None
            after = end.scores.get(name) if end else None
            change = round(after - before, 4) if before is not None and after is not None else None
            changes.append(
                DomainChange(
                    domain=name,
                    label=labels.get(name, name),
                    before=before,
                    after=after,
                    change=change,
                )
            )
        known = [c.change for c in changes if c.change is not None]
        out.append(
            CapacityChange(
                country=code,
                subject=subject,
                request=req,
                project=proj,
                before=base.id if base else None,
                after=end.id if end else None,
                before_on=base.assessed_on if base else None,
                after_on=end.assessed_on if end else None,
                domains=changes,
                mean_change=round(sum(known) / len(known), 4) if known else None,
            )
        )
    return out
