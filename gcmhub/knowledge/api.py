"""The knowledge platform's open API: items, search and tagging under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.context import PUBLIC
from gcmhub.downloads import format_of
from gcmhub.knowledge import actions, curation, editing
from gcmhub.knowledge.exports import HITS, ITEMS, item_jsonld
from gcmhub.knowledge.listing import DEFAULT_SORT, SORTS, item_list, item_stream
from gcmhub.knowledge.schemas import (
    ItemCreate,
    ItemPage,
    ItemPublic,
    ItemUpdate,
    RelatedItem,
    SearchResults,
    Tag,
    TagRequest,
    TagSuggestions,
)
from gcmhub.web.deps import ContextDep, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cached_json, download
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1", tags=["knowledge"], responses=PROBLEM_RESPONSES)

FILTERS_NOTE = (
    " Any facet is a filter: `objective`, `action`, `principle`, `cluster`, `sdg-target`, "
    "`stakeholder`, `country`, `region`, `type`, `language`, `year` and the facets of loaded "
    "schemes (`/api/v1/schemes`). Values are codes or labels; repeat a filter for either value."
)
FormatQuery = Annotated[
    str | None,
    Query(description="Download the whole list: csv, json or jsonld (streamed)."),
]


@router.get(
    "/items",
    summary="List knowledge items",
    description="Published items, filtered, sorted, a page at a time (keyset cursor)."
    + FILTERS_NOTE,
    response_model=ItemPage,
)
def items_list(
    request: Request,
    ctx: ContextDep,
    sort: Annotated[str, Query(description=f"One of {', '.join(SORTS)}.")] = DEFAULT_SORT,
    cursor: Annotated[str | None, Query(description="`next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: FormatQuery = None,
) -> Response:
    filters = filters_from(request, {"sort", "cursor", "limit", "format"}, actions.facet_names(ctx))
    if format:
        fmt = format_of(format)
        count = item_list(ctx, filters, sort, None, 1).count
        rows = item_stream(PUBLIC, filters, sort)
        head = {"count": count, "next": None, "filters": filters, "sort": sort}
        return download(ITEMS, rows, fmt, head)  # JSON: an ItemPage holding every item
    return cached_json(request, item_list(ctx, filters, sort, cursor, limit))


@router.get(
    "/items/{ref}",
    summary="One knowledge item",
    description="Its text, metadata, tags with confidence and provenance; "
    "`format=jsonld` gives a schema.org node.",
    response_model=ItemPublic,
)
def items_show(
    request: Request,
    ctx: ContextDep,
    ref: str,
    format: Annotated[str | None, Query(description="json (default) or jsonld.")] = None,
) -> Response:
    item = actions.item_show(ctx, ref)
    if format_of(format) == "jsonld":
        return cached_json(request, item_jsonld(item), "application/ld+json")
    return cached_json(request, item)


@router.get(
    "/items/{ref}/related",
    summary="Items close in meaning to one item",
    response_model=list[RelatedItem],
)
def items_related(
    request: Request, ctx: ContextDep, ref: str, limit: Annotated[int, Query(ge=1, le=50)] = 6
) -> Response:
    return cached_json(request, [r.model_dump() for r in actions.item_related(ctx, ref, limit)])


@router.get(
    "/search",
    summary="Search knowledge items",
    description="By words and by meaning, in any language, with facet counts and why each "
    "item matched. `format` downloads this page of hits (raise `limit` up to 1000)." + FILTERS_NOTE,
    response_model=SearchResults,
)
def search(
    request: Request,
    ctx: ContextDep,
    q: Annotated[str, Query(max_length=1000, description='Words; "a phrase"; -excluded.')] = "",
    mode: Annotated[str, Query(description="hybrid, lexical or semantic.")] = "hybrid",
    sort: Annotated[str, Query(description="relevance, -date, date or title.")] = "relevance",
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    format: FormatQuery = None,
) -> Response:
    fixed = {"q", "mode", "sort", "limit", "offset", "format"}
    filters = filters_from(request, fixed, actions.facet_names(ctx))
    fmt = format_of(format) if format else None
    results = actions.item_search(ctx, q, filters, limit, offset, mode, sort)
    if fmt is not None:
        head = results.model_dump(exclude={"hits", "facets"})
        return download(HITS, results.hits, fmt, head)
    return cached_json(request, results)


@router.post(
    "/tagging/suggest",
    summary="Suggest concepts for texts",
    description="Tag up to 100 texts with a scheme's concepts (zero-shot, improved by curators' "
    "decisions). Nothing is stored.",
    response_model=TagSuggestions,
    openapi_extra={"x-rule": "stores_nothing"},
)
def tagging_suggest(ctx: ContextDep, body: TagRequest) -> TagSuggestions:
    return actions.tag_suggest(ctx, body)


@router.post(
    "/items",
    summary="Add a knowledge item",
    description="Partners, curators, and focal points (for items about their own countries) "
    "add items with an API token that has the `write` scope. The item is theirs to change.",
    status_code=201,
    response_model=ItemPublic,
    openapi_extra={"x-rule": "item_create"},
)
def items_create(request: Request, ctx: ContextDep, body: ItemCreate) -> ItemPublic:
    require_token(request, ctx)
    return editing.item_create(ctx, body)


@router.patch(
    "/items/{ref}",
    summary="Change a knowledge item",
    description="Only the fields given change. Curators change any item; partners the items "
    "they added; focal points items about their countries.",
    response_model=ItemPublic,
    openapi_extra={"x-rule": "item_update"},
)
def items_update(request: Request, ctx: ContextDep, ref: str, body: ItemUpdate) -> ItemPublic:
    require_token(request, ctx)
    return editing.item_update(ctx, ref, body)


@router.post(
    "/items/{ref}/tags/{concept}/confirm",
    summary="Confirm a tag (curators)",
    description="Confirm a suggested tag or add one the tagger missed; the tagger learns.",
    response_model=Tag,
    openapi_extra={"x-rule": "tag_confirm"},
)
def tags_confirm(request: Request, ctx: ContextDep, ref: str, concept: str) -> Tag:
    require_token(request, ctx)
    return curation.tag_confirm(ctx, ref, concept)


@router.post(
    "/items/{ref}/tags/{concept}/reject",
    summary="Reject a tag (curators)",
    description="A rejected tag no longer counts in facets and is not suggested again.",
    response_model=Tag,
    openapi_extra={"x-rule": "tag_reject"},
)
def tags_reject(request: Request, ctx: ContextDep, ref: str, concept: str) -> Tag:
    require_token(request, ctx)
    return curation.tag_reject(ctx, ref, concept)
