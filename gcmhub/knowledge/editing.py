"""Writing knowledge items from the web and the API: add one, change one, each on record."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import delete, select

from gcmhub.accounts.audit import audit_record
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.knowledge.auth import ItemScope
from gcmhub.knowledge.indexing import facet_values
from gcmhub.knowledge.ingest import normalise_type
from gcmhub.knowledge.models import Item, ItemConcept
from gcmhub.knowledge.schemas import ItemCreate, ItemPublic, ItemUpdate
from gcmhub.search.index import IndexRecord
from gcmhub.taxonomy.actions import concept_resolver
from gcmhub.text.language import detect_language

EDITABLE = ("title", "text", "url", "publisher", "licence", "date_published", "status")


def _country_ids(ctx: Context, names: list[str]) -> list[str]:
    resolve = concept_resolver(ctx, "country")
    try:
        return sorted({resolve(name) for name in names})
    except InvalidInput as error:
        raise InvalidInput(f"countries: {error}") from None


def _objective_ids(ctx: Context, names: list[str]) -> list[str]:
    resolve = concept_resolver(ctx, "objective")
    try:
        return sorted({resolve(name) for name in names})
    except InvalidInput as error:
        raise InvalidInput(f"objectives: {error}") from None


def item_scope(ctx: Context, item: Item) -> ItemScope:
    """Return who added an item and the countries it is about (what its rules look at)."""
    countries = ctx.session.scalars(
        select(ItemConcept.concept_id).where(
            ItemConcept.item_id == item.id,
            ItemConcept.concept_id.like("country:%"),
            ItemConcept.status != "rejected",
        )
    )
    return ItemScope(item.owner_id, frozenset(c.split(":", 1)[1] for c in countries))


def _hash(item: Item) -> str:
    payload = [
        item.title,
        item.text,
        item.url,
        item.publisher,
        item.licence,
        str(item.date_published),
    ]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _snapshot(item: Item, concepts: list[str]) -> dict[str, Any]:
    shown = {name: getattr(item, name) for name in EDITABLE}
    shown["date_published"] = str(item.date_published) if item.date_published else None
    return {**shown, "concepts": concepts}


def _concepts(ctx: Context, item: Item) -> list[str]:
    return sorted(
        ctx.session.scalars(
            select(ItemConcept.concept_id).where(
                ItemConcept.item_id == item.id, ItemConcept.origin != "auto"
            )
        )
    )


def _reindex(ctx: Context, item: Item) -> None:
    """Put a published item in the search index, or take a draft out of it."""
    from gcmhub.knowledge.actions import item_index

    if item.status != "published":  # drafts stay out of search until they are published
        item_index(ctx).delete([item.id])
        return
    facets = facet_values(ctx, [item.id])
    item_index(ctx).upsert(
        [IndexRecord(item.id, item.title, item.text, item.language, facets.get(item.id, {}))]
    )


def item_create(ctx: Context, data: ItemCreate) -> ItemPublic:
    """Add a knowledge item; the person adding it owns it.

    A country focal point adds items about its own countries only. The item is searchable
    by words at once and by meaning after the next embedding run (`gcmhub ingest` or the
    server's own).
    """
    from gcmhub.knowledge.actions import item_show

    countries = _country_ids(ctx, data.countries)
    authorize(
        ctx,
        "item_create",
        ItemScope(ctx.actor.user_id, frozenset(c.split(":")[1] for c in countries)),
    )
    objectives = _objective_ids(ctx, data.objectives)
    language = data.language or detect_language(f"{data.title}. {data.text}")
    item = Item(
        ref=f"web-{secrets.token_hex(6)}",
        key="",
        type=normalise_type(data.type),
        title=data.title.strip(),
        text=data.text.strip(),
        url=data.url,
        language=language,
        languages=[language] if language else [],
        publisher=data.publisher,
        implementing_entities=[],
        date_published=data.date_published,
        status=data.status,
        licence=data.licence,
        heading_path=[],
        owner_id=ctx.actor.user_id,
    )
    item.key = item.ref
    item.content_hash = _hash(item)
    ctx.session.add(item)
    ctx.session.flush()
    for concept in [*countries, *objectives]:
        ctx.session.add(
            ItemConcept(item_id=item.id, concept_id=concept, origin="source", status="confirmed")
        )
    ctx.session.flush()
    _reindex(ctx, item)
    audit_record(
        ctx, "item_create", f"item:{item.ref}", None, _snapshot(item, _concepts(ctx, item))
    )
    return item_show(ctx, item.ref)


def item_update(ctx: Context, ref: str, changes: ItemUpdate) -> ItemPublic:
    """Change an item's text, metadata, status or countries; the change is on record.

    A focal point may change items about its countries only, and may not move an item to a
    country outside them.
    """
    from gcmhub.knowledge.actions import item_show

    item = ctx.session.scalar(select(Item).where(Item.ref == ref))
    if item is None:
        raise NotFound(f"no item '{ref}'")
    authorize(ctx, "item_update", item_scope(ctx, item))
    given = changes.model_dump(exclude_unset=True)
    before = _snapshot(item, _concepts(ctx, item))
    if "countries" in given and given["countries"] is not None:
        countries = _country_ids(ctx, given.pop("countries"))
        authorize(
            ctx,
            "item_update",
            ItemScope(item.owner_id, frozenset(c.split(":")[1] for c in countries)),
        )
        ctx.session.execute(
            delete(ItemConcept).where(
                ItemConcept.item_id == item.id, ItemConcept.concept_id.like("country:%")
            )
        )
        ctx.session.flush()
        for concept in countries:
            ctx.session.add(
                ItemConcept(
                    item_id=item.id, concept_id=concept, origin="source", status="confirmed"
                )
            )
    given.pop("countries", None)
    for name, value in given.items():
        if name in ("title", "text", "status") and value is None:
            raise InvalidInput(f"{name} cannot be empty")
        setattr(
            item,
            name,
            value.strip() if isinstance(value, str) and name in ("title", "text") else value,
        )
    item.content_hash = _hash(item)
    ctx.session.flush()
    _reindex(ctx, item)
    audit_record(ctx, "item_update", f"item:{ref}", before, _snapshot(item, _concepts(ctx, item)))
    return item_show(ctx, ref)
