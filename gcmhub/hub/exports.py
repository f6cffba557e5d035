"""How the hub's rows are written in downloads (CSV columns, JSON-LD nodes)."""

from __future__ import annotations

from typing import Any

from gcmhub.downloads import Table
from gcmhub.hub.schemas import ProviderPublic, RequestRow
from gcmhub.knowledge.exports import CONTEXT, base_url


def _request_row(row: RequestRow) -> dict[str, Any]:
    flat = row.model_dump()
    flat["objectives"] = "|".join(row.objectives)
    flat["support_types"] = "|".join(row.support_types)
    return flat


def _request_node(row: RequestRow) -> dict[str, Any]:
    return {
        "@id": f"{base_url()}/hub/requests/{row.id}",
        "@type": "Demand",
        "name": row.title,
        "areaServed": row.country or row.region,
        "dateCreated": row.created_at.isoformat(),
        "additionalProperty": [{"@type": "PropertyValue", "name": "state", "value": row.state}],
    }


REQUESTS = Table(
    name="gcmhub-requests",
    columns=(
        "id",
        "title",
        "country",
        "region",
        "objectives",
        "support_types",
        "state",
        "age_days",
        "due_at",
        "overdue",
        "assignee",
        "confidentiality",
        "created_at",
    ),
    flatten=_request_row,
    context=CONTEXT,
    node=_request_node,
)


def _provider_row(row: ProviderPublic) -> dict[str, Any]:
    flat = row.model_dump()
    for name in ("objectives", "countries", "regions"):
        flat[name] = "|".join(c.code for c in getattr(row, name))
    for name in ("support_types", "languages", "modalities"):
        flat[name] = "|".join(getattr(row, name))
    return flat


def _provider_node(row: ProviderPublic) -> dict[str, Any]:
    return {
        "@id": f"{base_url()}/hub/providers/{row.id}",
        "@type": "Organization" if row.kind == "organization" else "Person",
        "name": row.name,
        "description": row.description,
        "knowsLanguage": row.languages,
        "areaServed": [c.label for c in row.countries + row.regions],
        "knowsAbout": [c.label for c in row.objectives],
    }


PROVIDERS = Table(
    name="gcmhub-providers",
    columns=(
        "id",
        "kind",
        "name",
        "organization_type",
        "un_system",
        "objectives",
        "support_types",
        "countries",
        "regions",
        "languages",
        "modalities",
        "capacity",
        "load",
        "rating",
        "ratings",
        "description",
    ),
    flatten=_provider_row,
    context=CONTEXT,
    node=_provider_node,
)
