"""Lists of knowledge items: filters, a stable sort and keyset cursors, for pages and exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, text, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from gcmhub.context import Actor, Context
from gcmhub.cursors import MALFORMED, decode_cursor, encode_cursor, follow
from gcmhub.errors import BadParameter
from gcmhub.knowledge.models import Item, ItemConcept, Source
from gcmhub.knowledge.schemas import ItemPage, ItemSummary
from gcmhub.settings import get_settings

NO_DATE = date(1, 1, 1)


@dataclass(frozen=True)
class Sort:
    """A way to order items: a key, its direction, and how a cursor stores the key."""

    name: str
    key: ColumnElement[Any] | InstrumentedAttribute[Any]
    descending: bool
    kind: str  # "text" or "date"


def _sorts() -> dict[str, Sort]:
    dated = func.coalesce(Item.date_published, literal(NO_DATE))
    return {
        "id": Sort("id", Item.ref, False, "text"),
        "title": Sort("title", Item.title, False, "text"),
        "-title": Sort("-title", Item.title, True, "text"),
        "date": Sort("date", dated, False, "date"),
        "-date": Sort("-date", dated, True, "date"),
    }


SORTS = tuple(_sorts())
DEFAULT_SORT = "-date"


def sort_named(name: str) -> Sort:
    """Return a sort by name, or refuse naming the parameter."""
    sorts = _sorts()
    if name not in sorts:
        raise BadParameter("sort", f"unknown sort '{name}'; sorts: {', '.join(sorts)}")
    return sorts[name]


def sort_cursor(sort: Sort, key: object, item_id: int) -> str:
    """Return a cursor pointing after the item with this sort key."""
    value = key.isoformat() if isinstance(key, date) else key
    return encode_cursor({"s": sort.name, "k": value, "i": item_id})


def sort_position(sort: Sort, cursor: str) -> tuple[object, int]:
    """Return the sort key and id a cursor points after."""
    position = decode_cursor(cursor, ("s", "k", "i"))
    name, key, item_id = position["s"], position["k"], position["i"]
    if name != sort.name:
        raise BadParameter("cursor", f"this cursor belongs to sort '{name}', not '{sort.name}'")
    if not isinstance(item_id, int) or not isinstance(key, str):
        raise BadParameter("cursor", MALFORMED)
    if sort.kind == "date":
        try:
            return date.fromisoformat(key), item_id
        except ValueError:
            raise BadParameter("cursor", MALFORMED) from None
    return key, item_id


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Items the actor may read: the public sees published items only."""
    return Item.status == "published"


def _filtered(ctx: Context, filters: Mapping[str, Sequence[str]]) -> Select[Any]:
    from gcmhub.knowledge.actions import item_index, resolve_filters

    query = select(Item).where(_visible(ctx.actor))
    resolved = resolve_filters(ctx, filters) if filters else {}
    where, params = item_index(ctx).filter_sql(resolved)
    if where:
        query = query.where(Item.id.in_(text(where).bindparams(**params)))
    return query


def item_list(
    ctx: Context,
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> ItemPage:
    """List published items that pass the filters, in a stable order, a page at a time.

    Pages follow each other by keyset: `next` is a cursor to pass back for the following
    page, so a page never shifts when items are added meanwhile. `count` is the number of
    items that pass the filters.
    """
    if not 1 <= limit <= 1000:
        raise BadParameter("limit", "limit must be between 1 and 1000")
    order = sort_named(sort)
    query = _filtered(ctx, filters or {})
    count = int(ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    if cursor:
        key, after = sort_position(order, cursor)
        pair = tuple_(order.key, Item.id)
        query = query.where(pair < (key, after) if order.descending else pair > (key, after))
    keys = (order.key.desc(), Item.id.desc()) if order.descending else (order.key, Item.id)
    rows = ctx.session.execute(
        query.add_columns(order.key.label("sort_key")).order_by(*keys).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    summaries = summarise(ctx, [row[0] for row in rows])
    following = None
    if more:
        last = rows[-1]
        following = sort_cursor(order, last.sort_key, last[0].id)
    return ItemPage(data=summaries, count=count, next=following)


def item_stream(
    actor: Actor,
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "id",
    batch: int = 500,
) -> Iterator[ItemSummary]:
    """Yield every item that passes the filters, one short transaction per batch.

    Filters and sort are checked before the first item is yielded, so a bad parameter is
    refused before a download starts.
    """
    from gcmhub.runtime import open_context

    def fetch(cursor: str | None) -> ItemPage:
        with open_context(actor) as ctx:
            return item_list(ctx, filters, sort, cursor, batch)

    return follow(fetch(None), fetch)


def summarise(ctx: Context, items: Sequence[Item]) -> list[ItemSummary]:
    """Return items as listed, each with the concepts it counts for."""
    ids = [item.id for item in items]
    concepts: dict[int, list[str]] = {i: [] for i in ids}
    minimum = get_settings().autotag_facet_min
    for item_id, concept in ctx.session.execute(
        select(ItemConcept.item_id, ItemConcept.concept_id)
        .where(
            ItemConcept.item_id.in_(ids),
            ItemConcept.status != "rejected",
            or_(ItemConcept.origin != "auto", ItemConcept.score >= minimum),
        )
        .order_by(ItemConcept.item_id, ItemConcept.concept_id)
    ):
        concepts[item_id].append(concept)
    sources = dict(
        ctx.session.execute(
            select(Source.id, Source.name).where(
                Source.id.in_({i.source_id for i in items if i.source_id})
            )
        ).all()
    )
    return [
        ItemSummary(
            id=item.ref,
            type=item.type,
            title=item.title,
            summary=_summary(item.text),
            url=item.url,
            language=item.language,
            publisher=item.publisher,
            date_published=item.date_published,
            licence=item.licence,
            concepts=concepts[item.id],
            source_file=sources.get(item.source_id) if item.source_id else None,
            updated_at=item.updated_at,
        )
        for item in items
    ]


def _summary(body: str, most: int = 300) -> str:
    flat = " ".join(body.split())
    if len(flat) <= most:
        return flat
    return flat[:most].rsplit(" ", 1)[0] + "…"
