"""Pages about the hub as a whole: home, about, the API guide and the data catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.knowledge.actions import item_counts, item_search
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import scheme_list, scheme_show
from gcmhub.web.catalog import catalog
from gcmhub.web.deps import ContextDep
from gcmhub.web.i18n import N_
from gcmhub.web.responses import cached_json
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, ctx: ContextDep) -> Response:
    facets = item_search(ctx, "", limit=1, mode="lexical").facets.get("objective", [])
    return render(
        request,
        "home.html",
        counts=item_counts(ctx),
        objectives=scheme_show(ctx, "objective").top_concepts,
        per_objective={f.value: f.count for f in facets},
    )


@router.get("/about")
def about(request: Request, ctx: ContextDep) -> Response:
    return render(request, "about.html", active="about", schemes=scheme_list(ctx))


@router.get("/api")
def api_guide(request: Request) -> Response:
    return render(
        request,
        "api.html",
        active="api",
        operations=operations(request.app.openapi()),
        places={"query": N_("query"), "path": N_("path"), "header": N_("header")},
        base=get_settings().public_url.rstrip("/"),
    )


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the operations of an OpenAPI document, flattened for the API guide."""
    found = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                }
            )
    return found


@router.get("/catalog.jsonld")
def catalog_jsonld(request: Request, ctx: ContextDep) -> Response:
    return cached_json(request, catalog(ctx), "application/ld+json")
