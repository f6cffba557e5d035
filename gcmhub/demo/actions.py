"""The demo knowledge base: the Compact's objectives and actions as knowledge items."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.knowledge.actions import knowledge_ingest
from gcmhub.knowledge.ingest import FileReport, IngestOptions
from gcmhub.taxonomy.models import Concept, ConceptBroader

COMPACT_URL = "https://undocs.org/A/RES/73/195"
PUBLISHER = "United Nations General Assembly"
LICENCE = "Official UN document (A/RES/73/195), reproduced with attribution"
ADOPTED = "2018-12-19"


def compact_records(ctx: Context) -> list[dict[str, object]]:
    """Return the 23 objectives and 187 actions as JSON Lines records."""
    parents = dict(
        ctx.session.execute(
            select(ConceptBroader.concept_id, ConceptBroader.broader_id).where(
                ConceptBroader.concept_id.like("objective:%")
            )
        ).all()
    )
    concepts = ctx.session.scalars(
        select(Concept).where(Concept.scheme_id == "objective").order_by(Concept.position)
    )
    records: list[dict[str, object]] = []
    for concept in concepts:
        parent = parents.get(concept.id)
        if parent is None:
            title = f"Objective {concept.code}: {concept.label}"
            kind = "resource"
        else:
            number, letter = concept.code[:-1], concept.code[-1]
            title = f"Objective {number}, action ({letter}): {concept.label}"
            kind = "policy_option"
        records.append(
            {
                "id": f"gcm-{concept.code}",
                "title": title,
                "text": concept.definition or concept.label,
                "type": kind,
                "url": COMPACT_URL,
                "language": "en",
                "date": ADOPTED,
                "objectives": [concept.code],
                "publisher": PUBLISHER,
                "licence": LICENCE,
            }
        )
    return records


def demo_load(ctx: Context, folder: Path) -> FileReport:
    """Write the demo records into the data folder and ingest them (idempotent)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "global-compact-for-migration.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in compact_records(ctx)]
    content = "\n".join(lines) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != content:
        path.write_text(content, encoding="utf-8")
    return knowledge_ingest(ctx, path, IngestOptions())


HUB_DATA = Path(__file__).parent / "data"


def demo_hub(ctx: Context) -> dict[str, int]:
    """Load the hub's demo: providers and requests in several states (once).

    The providers describe kinds of institutions (not real bodies) and the requests are
    illustrative, both from the matching evaluation set (bench/data/matching/README.md).
    """
    from gcmhub.hub.loading import providers_load
    from gcmhub.hub.matching import request_plan_accept
    from gcmhub.hub.models import Provider
    from gcmhub.hub.requests import request_create, request_engage, request_show, request_step
    from gcmhub.hub.schemas import EngageWrite, RequestWrite, StepRequest

    if ctx.session.scalar(select(Provider.id).limit(1)) is not None:
        return {"providers": 0, "requests": 0}
    loaded = providers_load(ctx, HUB_DATA / "hub_providers.jsonl", consent=True)
    path = (
        "triaged",
        "matched",
        "in_progress",
        "resolved",
        "closed",
    )
    lines = (HUB_DATA / "hub_requests.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        record = json.loads(line)
        target = record.pop("state")
        rating, lessons = record.pop("rating", None), record.pop("lessons", None)
        ref = request_create(ctx, RequestWrite(**record)).id
        for state in path[: path.index(target) + 1] if target in path else ():
            if state == "matched":
                request_plan_accept(ctx, ref)
                for member in request_show(ctx, ref).plan:
                    request_engage(
                        ctx,
                        ref,
                        EngageWrite(
                            provider=member.provider,
                            parts=member.parts,
                            role=member.role,
                            status="confirmed",
                        ),
                    )
            note = "" if state != "resolved" else "Illustrative demo entry."
            request_step(ctx, ref, StepRequest(to=state, note=note, rating=rating, lessons=lessons))
    return {"providers": loaded, "requests": len(lines)}


def demo_fund(ctx: Context) -> dict[str, int]:
    """Load the start-up fund's demo (once): illustrative donors, pledges and deposits, a call
    whose proposals are reviewed, approved and funded, tranches released and a progress report.

    Everything goes through the fund's actions, as the fund manager and two demo reviewers
    would do it. The proposals are opened from the hub demo's matched requests, so without the
    hub demo (no embeddings) the fund gets its money and its call but no project. The donors
    are named "Demonstration donor …": the fund's pages then say the figures are illustrative.
    """
    from datetime import date, timedelta

    from gcmhub.accounts.actions import user_add
    from gcmhub.accounts.audit import now
    from gcmhub.context import Actor
    from gcmhub.fund import calls, contributions, projects
    from gcmhub.fund.models import Donor
    from gcmhub.fund.schemas import (
        CallWrite,
        DecisionWrite,
        DepositWrite,
        DonorWrite,
        ManualAllocationWrite,
        PledgeWrite,
        ProposalUpdate,
        ReportWrite,
        ReviewWrite,
    )
    from gcmhub.hub.handoffs import request_fund
    from gcmhub.hub.models import SupportRequest

    empty = {"donors": 0, "pledges": 0, "deposits": 0, "proposals": 0, "projects": 0}
    if ctx.session.scalar(select(Donor.id).limit(1)) is not None:
        return empty
    data = json.loads((HUB_DATA / "fund_demo.json").read_text(encoding="utf-8"))
    counts = dict(empty)
    donors: dict[str, str] = {}
    for spec in data["donors"]:
        made = contributions.donor_create(ctx, DonorWrite(name=spec["name"], type=spec["type"]))
        donors[spec["key"]] = made.id
        counts["donors"] += 1
    for spec in data["pledges"]:
        pledge = contributions.pledge_create(
            ctx,
            PledgeWrite(
                donor=donors[spec["donor"]],
                amount=spec["amount"],
                currency=spec["currency"],
                rate=spec.get("rate"),
                earmark=spec.get("earmark"),
                pledged_on=date.fromisoformat(spec["pledged_on"]),
                schedule=spec.get("schedule", []),
            ),
        )
        counts["pledges"] += 1
        for deposit in spec["deposits"]:
            contributions.deposit_create(
                ctx,
                DepositWrite(
                    pledge=pledge.id,
                    amount=deposit["amount"],
                    currency=spec["currency"],
                    rate=deposit.get("rate"),
                    deposited_on=date.fromisoformat(deposit["deposited_on"]),
                ),
            )
            counts["deposits"] += 1
    today = now().date()
    spec = data["call"]
    call = calls.call_create(
        ctx,
        CallWrite(
            title=spec["title"],
            description=spec["description"],
            budget=spec["budget"],
            opens=today - timedelta(days=spec["opens_days_ago"]),
            deadline=today,  # proposals go in today; the call closes tomorrow
            min_un_entities=spec["min_un_entities"],
            rules=spec["rules"],
        ),
    )
    requests = {
        r.country: r.ref
        for r in ctx.session.scalars(
            select(SupportRequest)
            .where(SupportRequest.state.in_(("matched", "in_progress")))
            .order_by(SupportRequest.id)
        )
    }
    wanted = [p for p in data["proposals"] if p["country"] in requests]
    if not wanted:
        return counts
    reviewers = []
    for reviewer in data["reviewers"]:
        account, _ = user_add(
            ctx, reviewer["username"], ["partner"], organization=reviewer["organization"]
        )
        reviewers.append(
            Actor(
                account.username,
                frozenset({"partner"}),
                user_id=account.id,
                organization=reviewer["organization"],
            )
        )
    system = ctx.actor
    for spec in wanted:
        ref = request_fund(ctx, requests[spec["country"]]).proposal
        assert ref is not None
        calls.proposal_update(
            ctx,
            ref,
            ProposalUpdate(
                call=call.id,
                title=spec["title"],
                area=spec["area"],
                amount=spec["amount"],
                budget_lines=spec["budget_lines"],
                participating=spec["participating"],
                endorsed=True,
                **spec["markers"],
            ),
        )
        calls.proposal_submit(ctx, ref)
        for actor, scores in zip(reviewers, spec["scores"], strict=False):
            ctx.actor = actor
            try:
                calls.review_submit(ctx, ref, ReviewWrite(scores=scores))
            finally:
                ctx.actor = system
        calls.proposal_decide(
            ctx, ref, DecisionWrite(decision="approved", note="Illustrative demo decision.")
        )
        projects.project_allocate(
            ctx, ref, ManualAllocationWrite(amount=spec["amount"], earmark=spec["earmark"])
        )
        for number in spec.get("release", []):
            projects.tranche_release(ctx, ref, number)
        if "report" in spec:
            report = spec["report"]
            projects.report_submit(
                ctx,
                ref,
                ReportWrite(
                    kind="progress",
                    period_end=today,
                    narrative=report["narrative"],
                    results=report["results"],
                    expenditure=report["expenditure"],
                ),
            )
        counts["proposals"] += 1
        counts["projects"] += 1
    return counts


def demo_data(ctx: Context) -> dict[str, int]:
    """Load every shipped public data set not loaded yet (gcmhub/indicators/data)."""
    from gcmhub.indicators.loading import shipped_load, shipped_names
    from gcmhub.indicators.models import Dataset

    loaded = set(ctx.session.scalars(select(Dataset.name)))
    results = [shipped_load(ctx, name) for name in shipped_names() if name not in loaded]
    return {"datasets": len(results), "rows": sum(r.rows for r in results)}


def demo_review(ctx: Context) -> dict[str, int]:
    """Load the review of implementation's demo (once): an illustrative plan for Mexico saved
    twice (so that the plan page shows what changed), two partnerships and a before/after
    capacity assessment, all through the review's actions. Every name starts with
    "Demonstration": the review's pages then say the records are illustrative."""
    from datetime import date

    from gcmhub.review import capacity, partnerships, plans
    from gcmhub.review.models import Plan
    from gcmhub.review.schemas import (
        AssessmentWrite,
        CommitmentWrite,
        PartnershipWrite,
        PlanWrite,
    )

    empty = {"plans": 0, "versions": 0, "partnerships": 0, "assessments": 0}
    if ctx.session.scalar(select(Plan.id).limit(1)) is not None:
        return empty
    data = json.loads((HUB_DATA / "review_demo.json").read_text(encoding="utf-8"))
    counts = dict(empty)
    spec = data["plan"]
    first = plans.plan_save(
        ctx,
        spec["country"],
        PlanWrite(
            title=spec["title"],
            note=spec["note"],
            commitments=[CommitmentWrite(**c) for c in spec["commitments"]],
        ),
    )
    counts["plans"] += 1
    counts["versions"] += 1
    change = spec["second"]
    kept = [CommitmentWrite.model_validate(c.model_dump()) for c in first.commitments]
    kept[change["commitment"]] = kept[change["commitment"]].model_copy(
        update={"status": change["status"]}
    )
    plans.plan_save(
        ctx, spec["country"], PlanWrite(title=spec["title"], note=change["note"], commitments=kept)
    )
    counts["versions"] += 1
    for item in data["partnerships"]:
        partnerships.partnership_create(ctx, PartnershipWrite(**item))
        counts["partnerships"] += 1
    spec = data["assessment"]
    for kind in ("before", "after"):
        capacity.assessment_create(
            ctx,
            AssessmentWrite(
                country=spec["country"],
                subject=spec["subject"],
                kind=kind,
                assessed_on=date.fromisoformat(spec[kind]["assessed_on"]),
                scores=spec[kind]["scores"],
                note=spec["note"],
            ),
        )
        counts["assessments"] += 1
    return counts


def demo_community(ctx: Context) -> dict[str, int]:
    """Load the community's demo (once): approved organizations, an open consultation with
    contributions, a past event with its outcomes and an upcoming one, and two pledges with a
    progress update (one overdue), through the community's actions. Every name starts with
    "Demonstration" and no person is named."""
    from datetime import date, timedelta

    from gcmhub.community import consultations, events, organizations, pledges
    from gcmhub.community.event_schemas import (
        EventWrite,
        OutcomesWrite,
        PledgeUpdateWrite,
        PledgeWrite,
    )
    from gcmhub.community.models import Organization
    from gcmhub.community.schemas import (
        ConsultationWrite,
        ContributionWrite,
        OrganizationReview,
        OrganizationWrite,
    )

    counts = {"organizations": 0, "consultations": 0, "contributions": 0, "events": 0}
    counts["pledges"] = 0
    if ctx.session.scalar(select(Organization.id).limit(1)) is not None:
        return counts
    data = json.loads((HUB_DATA / "community_demo.json").read_text(encoding="utf-8"))
    made: list[int] = []
    for spec in data["organizations"]:
        registered = organizations.organization_register(ctx, OrganizationWrite(**spec))
        organizations.organization_review(
            ctx, registered.id, OrganizationReview(decision="approved", note="Demonstration record")
        )
        made.append(registered.id)
        counts["organizations"] += 1
    today = date.today()
    for spec in data["events"]:
        starts = today + timedelta(days=spec["starts_in_days"])
        fields = {k: v for k, v in spec.items() if k in EventWrite.model_fields}
        event = events.event_create(
            ctx,
            EventWrite(
                **fields,
                organization_id=made[spec["organization"]],
                starts_on=starts,
                ends_on=starts + timedelta(days=spec["days"] - 1),
            ),
        )
        if spec.get("outcomes"):
            events.event_outcomes(ctx, event.id, OutcomesWrite(outcomes=spec["outcomes"]))
        counts["events"] += 1
    for spec in data["pledges"]:
        fields = {k: v for k, v in spec.items() if k in PledgeWrite.model_fields}
        if "organization" in spec:
            fields["organization_id"] = made[spec["organization"]]
        pledge = pledges.pledge_create(
            ctx, PledgeWrite(**fields, due_on=today + timedelta(days=spec["due_in_days"]))
        )
        for update in spec["updates"]:
            pledges.pledge_progress(
                ctx,
                pledge.id,
                PledgeUpdateWrite(
                    reported_on=today - timedelta(days=update["days_ago"]),
                    progress=update["progress"],
                    status=update["status"],
                    note=update["note"],
                ),
            )
        counts["pledges"] += 1
    for spec in data["consultations"]:
        fields = {k: v for k, v in spec.items() if k not in ("days_open", "contributions")}
        opened = consultations.consultation_create(
            ctx,
            ConsultationWrite(
                **fields,
                opens_on=today - timedelta(days=7),
                closes_on=today + timedelta(days=spec["days_open"]),
            ),
        )
        counts["consultations"] += 1
        for item in spec["contributions"]:
            consultations.contribution_create(ctx, opened.id, ContributionWrite(**item))
            counts["contributions"] += 1
    return counts
