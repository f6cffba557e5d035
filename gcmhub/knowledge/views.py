"""Pages of the knowledge platform: search, an item, the objectives."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gcmhub.auth import allowed
from gcmhub.errors import Forbidden, InvalidInput, NotFound
from gcmhub.indicators.related import related_data
from gcmhub.knowledge import actions, curation, editing
from gcmhub.knowledge.listing import item_list
from gcmhub.knowledge.schemas import ItemCreate, ItemUpdate
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
    "solution": N_("Solution"),
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
        related=related_data(ctx, objective.code, negotiate(request)),
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


def item_scope(ctx: Any, ref: str) -> Any:
    """Return the scope of an item by reference (who added it, its countries)."""
    from sqlalchemy import select

    from gcmhub.knowledge.editing import item_scope as scope_of
    from gcmhub.knowledge.models import Item

    item = ctx.session.scalar(select(Item).where(Item.ref == ref))
    return scope_of(ctx, item)


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _form_page(
    request: Request, item: dict[str, str], error: str | None = None, ref: str | None = None
) -> Response:
    return render(
        request,
        "item_form.html",
        status_code=422 if error else 200,
        active="search",
        item=item,
        error=error,
        ref=ref,
        types=TYPES,
        csrf=request.state.csrf,
    )


FORM_FIELDS = (
    "title",
    "text",
    "type",
    "url",
    "publisher",
    "licence",
    "date",
    "countries",
    "objectives",
    "status",
)


@router.get("/items/new")
def item_new_page(request: Request, ctx: ContextDep) -> Response:
    if not ctx.actor.signed_in:
        return RedirectResponse("/login?next=/items/new", status_code=303)
    start = {"type": "practice", "status": "published"}
    if ctx.actor.countries:
        start["countries"] = ", ".join(sorted(ctx.actor.countries))
    return _form_page(request, start)


def _create_or_update(
    request: Request, ctx: Any, form: dict[str, str], ref: str | None
) -> Response:
    given: dict[str, Any] = {
        "title": form.get("title", ""),
        "text": form.get("text", ""),
        "url": form.get("url") or None,
        "publisher": form.get("publisher") or None,
        "licence": form.get("licence") or None,
        "date_published": form.get("date") or None,
        "countries": _list(form.get("countries", "")),
        "status": form.get("status") or "published",
    }
    try:
        if ref is None:
            extra: dict[str, Any] = {
                "type": form.get("type") or "practice",
                "objectives": _list(form.get("objectives", "")),
            }
            created = editing.item_create(ctx, ItemCreate.model_validate({**given, **extra}))
            ref = created.id
        else:
            editing.item_update(ctx, ref, ItemUpdate.model_validate(given))
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "form"
        return _form_page(request, form, f"{where}: {first['msg']}", ref)
    except InvalidInput as refused:
        return _form_page(request, form, str(refused), ref)
    return RedirectResponse(f"/items/{ref}", status_code=303)


@router.post("/items/new", openapi_extra={"x-rule": "item_create"})
async def item_new_submit(request: Request, ctx: ContextDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items() if k in (*FORM_FIELDS, "csrf")}
    check_form(request, ctx, form.pop("csrf", ""))
    return await run_in_threadpool(_create_or_update, request, ctx, form, None)


@router.get("/items/{ref}/edit")
def item_edit_page(request: Request, ctx: ContextDep, ref: str) -> Response:
    if not ctx.actor.signed_in:
        return RedirectResponse(f"/login?next=/items/{ref}/edit", status_code=303)
    item = actions.item_show(ctx, ref)
    countries = [t.concept.split(":", 1)[1] for t in item.tags if t.concept.startswith("country:")]
    shown = {
        "title": item.title,
        "text": item.text,
        "type": item.type,
        "url": item.url or "",
        "publisher": item.publisher or "",
        "licence": item.licence or "",
        "date": str(item.date_published or ""),
        "countries": ", ".join(countries),
        "status": item.status,
    }
    return _form_page(request, shown, None, ref)


@router.post("/items/{ref}/edit", openapi_extra={"x-rule": "item_update"})
async def item_edit_submit(request: Request, ctx: ContextDep, ref: str) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items() if k in (*FORM_FIELDS, "csrf")}
    check_form(request, ctx, form.pop("csrf", ""))
    return await run_in_threadpool(_create_or_update, request, ctx, form, ref)


# Registered last: /items/new and /items/{ref}/edit must match before this catch-all.
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
        editable=ctx.actor.signed_in and allowed(ctx.actor, "item_update", item_scope(ctx, ref)),
        types=TYPES,
        origins=ORIGINS,
        statuses=STATUSES,
        paragraphs=[p.strip() for p in item.text.split("\n\n") if p.strip()],
    )
