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
