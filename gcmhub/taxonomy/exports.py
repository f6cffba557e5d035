"""How schemes and concepts are written in downloads: CSV columns and SKOS as JSON-LD."""

from __future__ import annotations

from typing import Any

from gcmhub.downloads import Table, joined
from gcmhub.settings import get_settings
from gcmhub.taxonomy.schemas import ConceptRow, SchemeSummary

SKOS_CONTEXT: dict[str, Any] = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
}


def _base() -> str:
    return get_settings().public_url.rstrip("/")


def _concept_row(concept: ConceptRow) -> dict[str, Any]:
    row = concept.model_dump()
    row["broader"] = joined(concept.broader)
    row.pop("labels")
    for language in ("fr", "es", "ar", "ru", "zh"):
        row[f"label_{language}"] = concept.labels.get(language, "")
    return row


def _concept_node(concept: ConceptRow) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": f"{_base()}/concepts/{concept.id}",
        "@type": "skos:Concept",
        "skos:notation": concept.code,
        "skos:prefLabel": [
            {"@value": label, "@language": language}
            for language, label in {"en": concept.label, **concept.labels}.items()
        ],
        "skos:inScheme": {"@id": f"{_base()}/taxonomy/{concept.scheme}"},
        "skos:broader": [{"@id": f"{_base()}/concepts/{b}"} for b in concept.broader],
    }
    if concept.definition:
        node["skos:definition"] = concept.definition
    return node


CONCEPTS = Table(
    name="concepts",
    columns=(
        "id",
        "scheme",
        "code",
        "label",
        "label_fr",
        "label_es",
        "label_ar",
        "label_ru",
        "label_zh",
        "definition",
        "notation",
        "broader",
    ),
    flatten=_concept_row,
    context=SKOS_CONTEXT,
    node=_concept_node,
)


def _scheme_node(scheme: SchemeSummary) -> dict[str, Any]:
    return {
        "@id": f"{_base()}/taxonomy/{scheme.id}",
        "@type": "skos:ConceptScheme",
        "dct:title": scheme.title,
        "dct:source": scheme.source,
        "dct:license": scheme.licence,
    }


SCHEMES = Table(
    name="schemes",
    columns=("id", "title", "concepts", "builtin", "source", "licence"),
    flatten=lambda scheme: scheme.model_dump(),
    context=SKOS_CONTEXT,
    node=_scheme_node,
)
