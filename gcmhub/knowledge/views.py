"""Pages of the knowledge platform: search, an item, the objectives."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.auth import allowed
from gcmhub.errors import Forbidden, NotFound
from gcmhub.knowledge import actions, curation
from gcmhub.knowledge.listing import item_list
from gcmhub.taxonomy.actions import concept_show, scheme_show
from gcmhub.web.deps import ContextDep, filters_from
from gcmhub.web.i18n import N_, negotiate, translations
from gcmhub.web.session import check_form
from gcmhub.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
MAX_PAGE = 50  # search pages beyond 1,000 results: narrow the query or download
# The facets a person filters by most come first; each name is translated on the page.
FACETS = {
    "type": N_("Type"),
    "objective": N_("Objective"),
    "action": N_("Action"),
    "cluster": N_("Thematic cluster"),
    "principle": N_("Guiding principle"),
    "region": N_("Region"),
    "country": N_("Country"),
    "stakeholder": N_("Stakeholder"),
    "sdg-target": N_("SDG target"),
    "sdg-indicator": N_("SDG indicator"),
    "theme": N_("Theme"),
    "level": N_("Level"),
    "audience": N_("Audience"),
    "language": N_("Language"),
    "year": N_("Year"),
}
TYPES = {
    "practice": N_("Practice"),
    "resource": N_("Resource"),
    "project": N_("Project"),
    "policy_option": N_("Policy option"),
    "event": N_("Event"),
    "pledge": N_("Pledge"),
    "dataset": N_("Dataset"),
}
CODED_FACETS = {"objective", "action", "cluster", "principle", "sdg-target", "sdg-indicator"}
SORTS = {
    "relevance": N_("Relevance"),
    "-date": N_("Newest first"),
    "date": N_("Oldest first"),
    "title": N_("Title"),
}
MODES = {
    "hybrid": N_("Words and meaning"),
    "lexical": N_("Exact words"),
    "semantic": N_("Meaning only"),
}
ORIGINS = {"source": N_("from the source"), "auto": N_("automatic"), "curator": N_("curator")}
STATUSES = {
    "confirmed": N_("confirmed"),
    "suggested": N_("suggested"),
    "rejected": N_("rejected"),
}


@router.get("/search")
def search_page(
    request: Request,
    ctx: ContextDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    mode: str = "hybrid",
    sort: str = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    fixed = {"q", "mode", "sort", "page", "lang"}
    filters = filters_from(request, fixed, actions.facet_names(ctx))
    offset = (page - 1) * PAGE_SIZE
    results = actions.item_search(ctx, q, filters, PAGE_SIZE, offset, mode, sort)
    pages = min(MAX_PAGE, max(1, math.ceil(results.total / PAGE_SIZE)))
    chosen = [(name, value) for name, values in filters.items() for value in values]
    labels = {(n, v.value): v.label for n, values in results.facets.items() for v in values}
    catalog = translations(negotiate(request))
    return render(
        request,
        "search.html",
        active="search",
        q=q,
        mode=mode,
        sort=sort,
        page=page,
        pages=pages,
        results=results,
        chosen=chosen,
        chosen_labels=labels,
        coded=CODED_FACETS,
        topics=lambda tags: [_topic(catalog.gettext, tag) for tag in tags],
        facets=[
            (name, FACETS[name], results.facets[name])
            for name in FACETS
            if results.facets.get(name)
        ],
        facet_names=FACETS,
        types=TYPES,
        sorts=SORTS,
        modes=MODES,
        download=_download_link(q, mode, sort, filters),
    )


def _topic(gettext: Callable[[str], str], tag: str) -> str:
    """Name an objective a hit shares with the query ("objective:20 Promote…" -> "objective 20")."""
    concept = tag.split(" ", 1)[0]
    return gettext("Objective %(num)s") % {"num": concept.split(":", 1)[-1]}


def _download_link(q: str, mode: str, sort: str, filters: dict[str, list[str]]) -> str:
    """Return where the list on the page downloads whole (items) or its best 1,000 (search)."""
    pairs = [(name, value) for name, values in filters.items() for value in values]
    if not q.strip():
        return "/api/v1/items?" + urlencode([*pairs, ("sort", "-date")])
    wanted = [("q", q), ("mode", mode), ("sort", sort), ("limit", "1000"), *pairs]
    return "/api/v1/search?" + urlencode(wanted)


@router.get("/items/{ref}")
def item_page(request: Request, ctx: ContextDep, ref: str) -> Response:
    item = actions.item_show(ctx, ref)
    tags = sorted(
        (t for t in item.tags if t.status != "rejected"),
        key=lambda t: (t.concept.split(":")[0], -(t.score or 1.0)),
    )
    return render(
        request,
        "item.html",
        active="search",
        item=item,
        tags=tags,
        related=actions.item_related(ctx, ref),
        types=TYPES,
        origins=ORIGINS,
        statuses=STATUSES,
        paragraphs=[p.strip() for p in item.text.split("\n\n") if p.strip()],
    )


@router.get("/objectives")
def objectives_page(request: Request, ctx: ContextDep) -> Response:
    facets = actions.item_search(ctx, "", limit=1, mode="lexical").facets.get("objective", [])
    return render(
        request,
        "objectives.html",
        active="objectives",
        objectives=[concept_show(ctx, c.id) for c in scheme_show(ctx, "objective").top_concepts],
        per_objective={f.value: f.count for f in facets},
    )


@router.get("/objectives/{code}")
def objective_page(request: Request, ctx: ContextDep, code: str) -> Response:
    try:
        objective = concept_show(ctx, f"objective:{code}")
    except NotFound:
        raise NotFound(f"no objective '{code}'; the objectives are numbered 1 to 23") from None
    if objective.broader:  # an action: show it within its objective
        parent = objective.broader[0]
        return RedirectResponse(f"/objectives/{parent.code}#action-{code}", status_code=308)
    items = item_list(ctx, {"objective": [objective.code]}, "-date", None, PAGE_SIZE)
    return render(
        request,
        "objective.html",
        active="objectives",
        objective=objective,
        actions=[concept_show(ctx, a.id) for a in objective.narrower],
        items=items,
        types=TYPES,
    )


@router.get("/curate")
def curate_page(request: Request, ctx: ContextDep, scheme: str | None = None) -> Response:
    if not ctx.actor.signed_in:
        return RedirectResponse("/login?next=/curate", status_code=303)
    if not allowed(ctx.actor, "tag_confirm"):
        raise Forbidden(f"{ctx.actor.name} may not curate tags: curators confirm tags")
    return render(
        request,
        "curate.html",
        active="curate",
        queue=curation.tag_queue(ctx, scheme, 50),
        csrf=request.state.csrf,
    )


@router.post("/curate/confirm", openapi_extra={"x-rule": "tag_confirm"})
def curate_confirm(
    request: Request,
    ctx: ContextDep,
    csrf: Annotated[str, Form()],
    item: Annotated[str, Form(max_length=200)],
    concept: Annotated[str, Form(max_length=200)],
) -> Response:
    check_form(request, ctx, csrf)
    curation.tag_confirm(ctx, item, concept)
    return RedirectResponse("/curate", status_code=303)


@router.post("/curate/reject", openapi_extra={"x-rule": "tag_reject"})
def curate_reject(
    request: Request,
    ctx: ContextDep,
    csrf: Annotated[str, Form()],
    item: Annotated[str, Form(max_length=200)],
    concept: Annotated[str, Form(max_length=200)],
) -> Response:
    check_form(request, ctx, csrf)
    curation.tag_reject(ctx, item, concept)
    return RedirectResponse("/curate", status_code=303)
