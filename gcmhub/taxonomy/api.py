"""The taxonomy's open API: schemes and concepts under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.context import PUBLIC
from gcmhub.downloads import format_of
from gcmhub.taxonomy import actions
from gcmhub.taxonomy.exports import CONCEPTS, SCHEMES
from gcmhub.taxonomy.schemas import ConceptPage, ConceptPublic, SchemePublic, SchemeSummary
from gcmhub.web.deps import ContextDep, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cached_json, download

router = APIRouter(prefix="/api/v1", tags=["taxonomy"], responses=PROBLEM_RESPONSES)
FormatQuery = Annotated[
    str | None, Query(description="Download the whole list: csv, json or jsonld (SKOS).")
]


@router.get("/schemes", summary="List the concept schemes", response_model=list[SchemeSummary])
def schemes_list(request: Request, ctx: ContextDep, format: FormatQuery = None) -> Response:
    filters_from(request, {"format"}, [])
    schemes = actions.scheme_list(ctx)
    if format:
        return download(SCHEMES, schemes, format_of(format))
    return cached_json(request, [s.model_dump() for s in schemes])


@router.get(
    "/schemes/{scheme}", summary="One scheme with its top concepts", response_model=SchemePublic
)
def schemes_show(request: Request, ctx: ContextDep, scheme: str) -> Response:
    return cached_json(request, actions.scheme_show(ctx, scheme))


@router.get(
    "/schemes/{scheme}/concepts",
    summary="List a scheme's concepts",
    description="In the scheme's order, a page at a time (keyset cursor), or downloaded whole.",
    response_model=ConceptPage,
)
def concepts_list(
    request: Request,
    ctx: ContextDep,
    scheme: str,
    cursor: Annotated[str | None, Query(description="`next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: FormatQuery = None,
) -> Response:
    filters_from(request, {"cursor", "limit", "format"}, [])
    if format:
        fmt = format_of(format)
        return download(CONCEPTS, actions.concept_stream(PUBLIC, scheme), fmt, {"scheme": scheme})
    return cached_json(request, actions.concept_list(ctx, scheme, cursor, limit))


@router.get(
    "/concepts/{concept}",
    summary="One concept",
    description="Labels in every language, definition, broader and narrower concepts; "
    "ids are `scheme:code`, e.g. `objective:19`.",
    response_model=ConceptPublic,
)
def concepts_show(request: Request, ctx: ContextDep, concept: str) -> Response:
    return cached_json(request, actions.concept_show(ctx, concept))
