"""What routes receive: the request's context (see session.py) and checked query parameters."""

from __future__ import annotations

from starlette.requests import Request

from gcmhub.errors import BadParameter
from gcmhub.web.session import ContextDep

__all__ = ["ContextDep", "filters_from"]


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
