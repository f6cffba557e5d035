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
