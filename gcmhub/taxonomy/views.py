"""Pages of the taxonomy browser: the schemes, one scheme's concepts, one concept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.knowledge.indexing import NARROWER_FACETS
from gcmhub.taxonomy import actions
from gcmhub.taxonomy.schemas import ConceptPublic
from gcmhub.web.deps import ContextDep
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/taxonomy")
def schemes_page(request: Request, ctx: ContextDep) -> Response:
    return render(request, "schemes.html", active="taxonomy", schemes=actions.scheme_list(ctx))


@router.get("/taxonomy/{scheme}")
def scheme_page(
    request: Request, ctx: ContextDep, scheme: str, cursor: Annotated[str | None, Query()] = None
) -> Response:
    return render(
        request,
        "scheme.html",
        active="taxonomy",
        scheme=actions.scheme_show(ctx, scheme),
        concepts=actions.concept_list(ctx, scheme, cursor, 300),
    )


def search_filter(concept: ConceptPublic) -> str:
    """Return the search filter that finds items tagged with a concept (`action=20a`)."""
    facet = concept.scheme
    if concept.broader and concept.scheme in NARROWER_FACETS:
        facet = NARROWER_FACETS[concept.scheme]
    return f"{facet}={concept.code}"


@router.get("/concepts/{concept}")
def concept_page(request: Request, ctx: ContextDep, concept: str) -> Response:
    found = actions.concept_show(ctx, concept)
    return render(
        request,
        "concept.html",
        active="taxonomy",
        concept=found,
        search=f"/search?{search_filter(found)}",
    )
