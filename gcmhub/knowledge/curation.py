"""Curation: a curator confirms, corrects or rejects the tags of knowledge items."""

from __future__ import annotations

from sqlalchemy import select

from gcmhub.accounts.audit import audit_record
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import NotFound
from gcmhub.knowledge.indexing import facet_values
from gcmhub.knowledge.models import Item, ItemConcept
from gcmhub.knowledge.schemas import Tag
from gcmhub.taxonomy.models import Concept


def _item(ctx: Context, ref: str) -> Item:
    item = ctx.session.scalar(select(Item).where(Item.ref == ref))
    if item is None:
        raise NotFound(f"no item '{ref}'")
    return item


def _concept(ctx: Context, concept_id: str) -> Concept:
    concept = ctx.session.get(Concept, concept_id)
    if concept is None:
        raise NotFound(f"no concept '{concept_id}' (write it as scheme:code, e.g. objective:19)")
    return concept


def _decide(ctx: Context, ref: str, concept_id: str, status: str) -> Tag:
    from gcmhub.knowledge.actions import item_index

    authorize(ctx, "tag_confirm" if status == "confirmed" else "tag_reject")
    item = _item(ctx, ref)
    concept = _concept(ctx, concept_id)
    tag = ctx.session.get(ItemConcept, (item.id, concept.id))
    before = (
        None if tag is None else {"origin": tag.origin, "status": tag.status, "score": tag.score}
    )
    if tag is None:
        tag = ItemConcept(item_id=item.id, concept_id=concept.id)
        ctx.session.add(tag)
    tag.origin, tag.status = "curator", status
    ctx.session.flush()
    item_index(ctx).update_facets(facet_values(ctx, [item.id]))
    after = {"origin": tag.origin, "status": tag.status, "score": tag.score}
    audit_record(
        ctx,
        f"tag_{'confirm' if status == 'confirmed' else 'reject'}",
        f"item:{ref}/{concept.id}",
        before,
        after,
    )
    return Tag(
        concept=concept.id, label=concept.label, origin="curator", status=status, score=tag.score
    )


def tag_confirm(ctx: Context, ref: str, concept_id: str) -> Tag:
    """Confirm a suggested tag, or add a tag the tagger missed; the tagger learns from it."""
    return _decide(ctx, ref, concept_id, "confirmed")


def tag_reject(ctx: Context, ref: str, concept_id: str) -> Tag:
    """Reject a tag: it no longer counts in facets and is not suggested again for this item."""
    return _decide(ctx, ref, concept_id, "rejected")


def tag_queue(
    ctx: Context, scheme: str | None = None, limit: int = 20
) -> list[tuple[str, str, Tag]]:
    """Return suggested tags awaiting a curator, most confident first: (item id, title, tag)."""
    query = (
        select(Item.ref, Item.title, ItemConcept, Concept.label)
        .join(Item, Item.id == ItemConcept.item_id)
        .join(Concept, Concept.id == ItemConcept.concept_id)
        .where(ItemConcept.status == "suggested")
        .order_by(ItemConcept.score.desc(), Item.id)
        .limit(limit)
    )
    if scheme:
        query = query.where(Concept.scheme_id == scheme)
    return [
        (
            ref,
            title,
            Tag(concept=t.concept_id, label=label, origin=t.origin, status=t.status, score=t.score),
        )
        for ref, title, t, label in ctx.session.execute(query)
    ]
