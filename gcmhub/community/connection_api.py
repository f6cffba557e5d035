"""The API of connections and follows under /api/v1/community.

`GET /connections?objective=&area=`: who works on an objective in an area (either may be left
out, not both). Follows are a person's own: listing them needs a signed-in reader, following
and unfollowing a token with the `write` scope.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import Response

from gcmhub.community import connections, follows
from gcmhub.community.connection_schemas import Connections, FollowPublic, FollowWrite
from gcmhub.web.deps import ContextDep, filters_from
from gcmhub.web.problems import PROBLEM_RESPONSES
from gcmhub.web.responses import cached_json
from gcmhub.web.session import require_token

router = APIRouter(prefix="/api/v1/community", tags=["community"], responses=PROBLEM_RESPONSES)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get(
    "/connections",
    summary="Who works on an objective in an area",
    description="Published knowledge items, providers listed with consent, approved "
    "organizations, hub requests as the reader may read them, fund projects, events and "
    "pledges on an objective (`6`, `objective:6`) in an area (an M49 region such as `202`, or "
    "a country: ISO3 or name), each kind with its count and first entries linked to their "
    "pages. Either filter may be left out; both missing: 422.",
    response_model=Connections,
)
def connections_show(
    request: Request,
    ctx: ContextDep,
    objective: Annotated[str | None, Query(max_length=60)] = None,
    area: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=0, le=100)] = connections.LIMIT,
) -> Response:
    filters_from(request, {"objective", "area", "limit"}, [])
    found = connections.connections(ctx, objective, area, limit)
    return cached_json(request, found.model_dump(mode="json"))


@router.get(
    "/follows",
    summary="What I follow",
    description="The signed-in reader's follows, with where the next digest's news start.",
    response_model=list[FollowPublic],
)
def follows_list(request: Request, ctx: ContextDep) -> list[FollowPublic]:
    filters_from(request, set(), [])
    return follows.follow_list(ctx)


@router.post(
    "/follows",
    summary="Follow an objective, an area, both, or an organization",
    description="Anyone signed in, with a write token. An organization is followed alone. "
    "Following the same thing twice: 409; an unknown objective or area: 422; an unknown "
    "organization: 404.",
    status_code=201,
    response_model=FollowPublic,
    openapi_extra={"x-rule": "follow_create"},
)
def follows_create(request: Request, ctx: ContextDep, body: FollowWrite) -> FollowPublic:
    require_token(request, ctx)
    return follows.follow_create(ctx, body)


@router.delete(
    "/follows/{follow_id}",
    summary="Unfollow",
    description="One's own follows only (another person's: 404), with a write token.",
    status_code=204,
    openapi_extra={"x-rule": "follow_delete"},
)
def follows_delete(request: Request, ctx: ContextDep, follow_id: Id) -> Response:
    require_token(request, ctx)
    follows.follow_delete(ctx, follow_id)
    return Response(status_code=204)
