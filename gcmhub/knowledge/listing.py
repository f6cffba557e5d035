"""Lists of knowledge items: filters, a stable sort and keyset cursors, for pages and exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func, literal, or_, select, text, tuple_
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


def _conditions(ctx: Context, filters: Mapping[str, Sequence[str]]) -> list[ColumnElement[bool]]:
    """Return the conditions an item must meet: visible to the actor, passing the filters."""
    from gcmhub.knowledge.actions import item_index, resolve_filters

    conditions = [_visible(ctx.actor)]
    resolved = resolve_filters(ctx, filters) if filters else {}
    where, params = item_index(ctx).filter_sql(resolved)
    if where:
        conditions.append(Item.id.in_(text(where).bindparams(**params)))
    return conditions


# What a list shows of an item: everything but the full text, of which it reads the start.
LISTED = (
    Item.id,
    Item.ref,
    Item.type,
    Item.title,
    Item.url,
    Item.language,
    Item.publisher,
    Item.date_published,
    Item.licence,
    Item.source_id,
    Item.updated_at,
)
SUMMARY_CHARS = 300


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
    conditions = _conditions(ctx, filters or {})
    count = int(ctx.session.scalar(select(func.count(Item.id)).where(*conditions)) or 0)
    if cursor:
        key, after = sort_position(order, cursor)
        pair = tuple_(order.key, Item.id)
        conditions.append(pair < (key, after) if order.descending else pair > (key, after))
    keys = (order.key.desc(), Item.id.desc()) if order.descending else (order.key, Item.id)
    head = func.substr(Item.text, 1, SUMMARY_CHARS + 100).label("head")
    rows = ctx.session.execute(
        select(*LISTED, head, order.key.label("sort_key"))
        .where(*conditions)
        .order_by(*keys)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    following = sort_cursor(order, rows[-1].sort_key, rows[-1].id) if more else None
    return ItemPage(data=summarise(ctx, rows), count=count, next=following)


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


def summarise(ctx: Context, rows: Sequence[Row[*tuple[Any, ...]]]) -> list[ItemSummary]:
    """Return listed rows (the LISTED columns and `head`) as summaries with their concepts."""
    ids = [row.id for row in rows]
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
    wanted = {row.source_id for row in rows if row.source_id}
    sources = dict(
        ctx.session.execute(select(Source.id, Source.name).where(Source.id.in_(wanted))).all()
    )
    return [
        ItemSummary(
            id=row.ref,
            type=row.type,
            title=row.title,
            summary=_summary(row.head),
            url=row.url,
            language=row.language,
            publisher=row.publisher,
            date_published=row.date_published,
            licence=row.licence,
            concepts=concepts[row.id],
            source_file=sources.get(row.source_id) if row.source_id else None,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def _summary(body: str, most: int = SUMMARY_CHARS) -> str:
    flat = " ".join(body.split())
    if len(flat) <= most:
        return flat
    return flat[:most].rsplit(" ", 1)[0] + "…"


def items_added(ctx: Context, start: datetime, end: datetime) -> list[tuple[str, str]]:
    """The published items added from `start` up to (not including) `end`: (ref, type)."""
    rows = ctx.session.execute(
        select(Item.ref, Item.type)
        .where(_visible(ctx.actor), Item.created_at >= start, Item.created_at < end)
        .order_by(Item.created_at, Item.id)
    )
    return [(ref, kind) for ref, kind in rows]
