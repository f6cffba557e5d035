"""What routes receive: a context on the database for the reader, and checked query parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from gcmhub.context import PUBLIC, Context
from gcmhub.errors import BadParameter
from gcmhub.runtime import open_context


def get_context() -> Iterator[Context]:
    """Yield a context for the request, in one transaction (readers act as the public)."""
    with open_context(PUBLIC) as ctx:
        yield ctx


ContextDep = Annotated[Context, Depends(get_context)]


def filters_from(request: Request, fixed: set[str], facets: list[str]) -> dict[str, list[str]]:
    """Return the facet filters of a query string; any other unknown parameter is refused."""
    known = set(facets)
    filters: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name in fixed:
            continue
        if name not in known:
            raise BadParameter(
                name,
                f"unknown parameter '{name}'; parameters: {', '.join(sorted(fixed))}, "
                f"and the filters {', '.join(facets)}",
            )
        if value.strip():
            filters.setdefault(name, []).append(value)
    return filters
