"""What routes receive: the request's context (see session.py) and checked query parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from starlette.requests import Request

from gcmhub.errors import BadParameter
from gcmhub.web.session import ContextDep

MAX_ID = 2**31 - 1  # ids are INTEGER columns: larger ones do not exist (PostgreSQL refuses them)
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]  # a record's number in an API address

__all__ = ["MAX_ID", "ContextDep", "RecordId", "filters_from"]


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
