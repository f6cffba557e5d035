"""The DCAT catalogue: every downloadable dataset with its licence, date and distributions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from gcmhub import __version__
from gcmhub.context import Context
from gcmhub.downloads import MEDIA_TYPES
from gcmhub.knowledge.actions import item_counts
from gcmhub.settings import get_settings
from gcmhub.taxonomy.actions import scheme_list
from gcmhub.taxonomy.models import Scheme

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
ITEM_RIGHTS = (
    "Each item carries its own licence in the `licence` field; items without one are "
    "published under the terms of their source."
)


def _distributions(url: str, title: str) -> list[dict[str, Any]]:
    separator = "&" if "?" in url else "?"
    return [
        {
            "@type": "dcat:Distribution",
            "dct:title": f"{title} ({fmt.upper()})",
            "dcat:downloadURL": {"@id": f"{url}{separator}format={fmt}"},
            "dcat:mediaType": MEDIA_TYPES[fmt].split(";")[0],
        }
        for fmt in ("csv", "json", "jsonld")
    ]


def _when(value: datetime | None) -> dict[str, str] | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # stored in UTC
    return {"@value": aware.isoformat(timespec="seconds"), "@type": "xsd:dateTime"}


def catalog(ctx: Context) -> dict[str, Any]:
    """Return the DCAT catalogue of the site's datasets as JSON-LD."""
    base = get_settings().public_url.rstrip("/")
    counts = item_counts(ctx)
    updated = counts.updated.replace(tzinfo=None) if counts.updated else None
    loaded = dict(ctx.session.execute(select(Scheme.id, Scheme.loaded_at)).all())
    datasets: list[dict[str, Any]] = [
        {
            "@id": f"{base}/api/v1/items",
            "@type": "dcat:Dataset",
            "dct:title": "Knowledge items",
            "dct:description": (
                f"{counts.total} published practices, policy options, resources and other "
                "knowledge items with their tags to the GCM taxonomy and their provenance."
            ),
            "dct:rights": ITEM_RIGHTS,
            "dct:modified": _when(updated),
            "dcat:landingPage": {"@id": f"{base}/search"},
            "dcat:keyword": ["migration", "Global Compact for Migration", "practices"],
            "dcat:distribution": _distributions(f"{base}/api/v1/items", "Knowledge items"),
        },
        {
            "@id": f"{base}/api/v1/schemes",
            "@type": "dcat:Dataset",
            "dct:title": "Concept schemes",
            "dct:description": "The vocabularies knowledge items are tagged with.",
            "dct:rights": "Each scheme carries its own licence (field `licence`).",
            "dct:modified": _when(max(loaded.values(), default=None)),
            "dcat:landingPage": {"@id": f"{base}/taxonomy"},
            "dcat:distribution": _distributions(f"{base}/api/v1/schemes", "Concept schemes"),
        },
    ]
    for scheme in scheme_list(ctx):
        url = f"{base}/api/v1/schemes/{scheme.id}/concepts"
        datasets.append(
            {
                "@id": url,
                "@type": "dcat:Dataset",
                "dct:title": scheme.title,
                "dct:description": f"{scheme.concepts} concepts. Source: {scheme.source}",
                "dct:license": scheme.licence,
                "dct:modified": _when(loaded.get(scheme.id)),
                "dcat:landingPage": {"@id": f"{base}/taxonomy/{scheme.id}"},
                "dcat:distribution": _distributions(url, scheme.title),
            }
        )
    for dataset in datasets:
        if dataset.get("dct:modified") is None:
            dataset.pop("dct:modified", None)
    newest = ctx.session.scalar(select(func.max(Scheme.loaded_at)))
    return {
        "@context": CONTEXT,
        "@id": f"{base}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": "GCM Hub open data",
        "dct:description": "Datasets of the GCM Hub knowledge platform.",
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": "GCM Hub"},
        "dct:modified": _when(max([d for d in (updated, newest) if d], default=None)),
        "dct:hasVersion": __version__,
        "dcat:dataset": datasets,
    }
