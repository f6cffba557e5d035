"""How knowledge items are written in downloads: CSV columns and schema.org JSON-LD."""

from __future__ import annotations

from typing import Any

from gcmhub.downloads import Table, joined
from gcmhub.knowledge.schemas import ItemPublic, ItemSummary, SearchHit
from gcmhub.settings import get_settings

# schema.org types for the item types; anything else is a CreativeWork
SCHEMA_TYPES = {
    "practice": "CreativeWork",
    "resource": "Report",
    "project": "Project",
    "policy_option": "Legislation",
    "event": "Event",
    "pledge": "CreativeWork",
    "dataset": "Dataset",
    "solution": "HowTo",
}
CONTEXT: dict[str, Any] = {"@vocab": "https://schema.org/"}


def base_url() -> str:
    """Return the public address of the site, without a trailing slash."""
    return get_settings().public_url.rstrip("/")


def item_url(ref: str) -> str:
    """Return the address of an item's page."""
    return f"{base_url()}/items/{ref}"


def concept_url(concept: str) -> str:
    """Return the address of a concept's page."""
    return f"{base_url()}/concepts/{concept}"


def _item_row(item: ItemSummary) -> dict[str, Any]:
    row = item.model_dump()
    row["concepts"] = joined(item.concepts)
    row["page"] = item_url(item.id)
    return row


def _item_node(item: ItemSummary) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": item_url(item.id),
        "@type": SCHEMA_TYPES.get(item.type, "CreativeWork"),
        "identifier": item.id,
        "name": item.title,
        "abstract": item.summary,
        "additionalType": item.type,
        "about": [{"@id": concept_url(c), "@type": "DefinedTerm"} for c in item.concepts],
        "dateModified": item.updated_at.isoformat(),
    }
    return {**node, **described(item)}


def described(item: ItemSummary | ItemPublic) -> dict[str, Any]:
    """Return the schema.org properties an item has: address, language, date, licence, publisher."""
    optional = {
        "url": item.url,
        "inLanguage": item.language,
        "datePublished": item.date_published.isoformat() if item.date_published else None,
        "license": item.licence,
        "publisher": {"@type": "Organization", "name": item.publisher} if item.publisher else None,
    }
    return {k: v for k, v in optional.items() if v is not None}


def item_jsonld(item: ItemPublic) -> dict[str, Any]:
    """Return one item, with its full text and tags, as a schema.org JSON-LD node."""
    return {
        "@context": CONTEXT,
        "@id": item_url(item.id),
        "@type": SCHEMA_TYPES.get(item.type, "CreativeWork"),
        "identifier": item.id,
        "name": item.title,
        "text": item.text,
        "additionalType": item.type,
        "about": [
            {"@id": concept_url(t.concept), "name": t.label}
            for t in item.tags
            if t.status != "rejected"
        ],
        **described(item),
    }


ITEMS = Table(
    name="items",
    columns=(
        "id",
        "type",
        "title",
        "summary",
        "url",
        "language",
        "publisher",
        "date_published",
        "licence",
        "concepts",
        "source_file",
        "updated_at",
        "page",
    ),
    flatten=_item_row,
    context=CONTEXT,
    node=_item_node,
)


def _hit_row(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "type": hit.type,
        "language": hit.language,
        "score": hit.score,
        "matched_terms": joined(hit.why.terms),
        "similarity": hit.why.similarity,
        "url": hit.url,
        "page": item_url(hit.id),
    }


def _hit_node(hit: SearchHit) -> dict[str, Any]:
    return {
        "@id": item_url(hit.id),
        "@type": SCHEMA_TYPES.get(hit.type, "CreativeWork"),
        "identifier": hit.id,
        "name": hit.title,
        "inLanguage": hit.language,
    }


HITS = Table(
    name="search",
    columns=(
        "id",
        "type",
        "title",
        "language",
        "score",
        "matched_terms",
        "similarity",
        "url",
        "page",
    ),
    flatten=_hit_row,
    context=CONTEXT,
    node=_hit_node,
)
