"""SKOS concept schemes from Turtle or JSON-LD, read with rdflib."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from urllib.parse import unquote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from gcmhub.taxonomy.schemes import ConceptData, SchemeData, TaxonomyError, slugify, validate

FORMAT_NAMES = {"turtle": "Turtle", "json-ld": "JSON-LD"}
# properties read from the skos:ConceptScheme, first present wins
TITLE = (DCTERMS.title, DC.title, RDFS.label, SKOS.prefLabel)
DESCRIPTION = (DCTERMS.description, DC.description, RDFS.comment, SKOS.definition)
SOURCE = (DCTERMS.source, DC.source)
LICENCE = (DCTERMS.license, DCTERMS.rights, DC.rights)


def parse_graph(text: str, rdf_format: str) -> Graph:
    """RDF graph parsed from text ("turtle" or "json-ld"); TaxonomyError on a syntax error."""
    graph = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
            graph.parse(data=text, format=rdf_format)
    except Exception as exc:  # rdflib raises many unrelated types for bad input
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TaxonomyError(f"cannot read {FORMAT_NAMES[rdf_format]}: {first_line[:200]}") from None
    return graph


def scheme_from_graph(
    graph: Graph, scheme_id: str | None, title: str | None, stem: str
) -> SchemeData:
    """Validated scheme from the skos:ConceptScheme and skos:Concepts of a graph."""
    scheme_nodes = sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str)
    if len(scheme_nodes) > 1:
        names = ", ".join(str(node) for node in scheme_nodes)
        raise TaxonomyError(f"file holds {len(scheme_nodes)} concept schemes ({names}); keep one")
    node = scheme_nodes[0] if scheme_nodes else None
    nodes = _concept_nodes(graph, set(scheme_nodes))
    codes = {item: _code(graph, item) for item in nodes}
    concepts = [_concept(graph, item, codes) for item in nodes]
    pairs = sorted(zip(concepts, nodes, strict=True), key=lambda pair: _natural(pair[0].code))
    found_title = _pick(graph, node, TITLE)
    scheme = SchemeData(
        id=scheme_id or slugify(found_title or title or "") or slugify(stem),
        title=title or found_title or stem,
        description=_pick(graph, node, DESCRIPTION) or "",
        source=_pick(graph, node, SOURCE) or "",
        licence=_pick(graph, node, LICENCE) or "",
        concepts=[pair[0] for pair in pairs],
    )
    validate(scheme, [f"<{pair[1]}>" for pair in pairs])
    return scheme


def _concept_nodes(graph: Graph, schemes: set[Node]) -> list[Node]:
    """Nodes typed skos:Concept or with inScheme, topConceptOf or prefLabel; no collections."""
    found: set[Node] = set(graph.subjects(RDF.type, SKOS.Concept))
    for predicate in (SKOS.inScheme, SKOS.topConceptOf, SKOS.prefLabel):
        found.update(graph.subjects(predicate, None))
    found.update(graph.objects(None, SKOS.hasTopConcept))
    for kind in (SKOS.Collection, SKOS.OrderedCollection):
        found.difference_update(graph.subjects(RDF.type, kind))
    return sorted((item for item in found - schemes if not isinstance(item, Literal)), key=str)


def _code(graph: Graph, node: Node) -> str:
    """skos:notation if present, else the last part of the URI (after '#' or '/')."""
    notations = sorted(str(value) for value in graph.objects(node, SKOS.notation))
    if notations:
        return notations[0].strip()
    if not isinstance(node, URIRef):
        raise TaxonomyError("a concept without a URI needs a skos:notation to serve as its id")
    return _local(node)


def _concept(graph: Graph, node: Node, codes: dict[Node, str]) -> ConceptData:
    """ConceptData for one node; broader joins skos:broader and inverse skos:narrower."""
    labels: dict[str, str] = {}
    alt_labels: dict[str, list[str]] = {}
    for value in sorted(graph.objects(node, SKOS.prefLabel), key=str):
        lang = _lang(value)
        if lang in labels:
            alt_labels.setdefault(lang, []).append(str(value).strip())
        elif str(value).strip():
            labels[lang] = str(value).strip()
    for value in sorted(graph.objects(node, SKOS.altLabel), key=str):
        alt_labels.setdefault(_lang(value), []).append(str(value).strip())
    parents = set(graph.objects(node, SKOS.broader)) | set(graph.subjects(SKOS.narrower, node))
    broader = {codes.get(parent) or _local(parent) for parent in parents}
    notation = sorted(str(value) for value in graph.objects(node, SKOS.notation))
    return ConceptData(
        code=codes[node],
        labels=labels,
        definition=_pick(graph, node, (SKOS.definition,)),
        broader=sorted(broader, key=_natural),
        examples=sorted(str(value).strip() for value in graph.objects(node, SKOS.example)),
        alt_labels=alt_labels,
        notation=notation[0] if notation else None,
    )


def _lang(value: Node) -> str:
    """Language tag of a literal, lower-case; "en" when it has none."""
    return (value.language or "en").lower() if isinstance(value, Literal) else "en"


def _local(node: Node) -> str:
    """Last part of a URI, used to name a broader concept that is not in the file."""
    return unquote(re.split(r"[#/]", str(node).rstrip("#/"))[-1])


def _pick(graph: Graph, node: Node | None, predicates: Iterable[URIRef]) -> str | None:
    """First value of the first predicate present: English, then untagged, then any."""
    if node is None:
        return None
    for predicate in predicates:
        values = sorted(graph.objects(node, predicate), key=str)
        if values:
            return str(min(values, key=_lang_rank)).strip() or None
    return None


def _lang_rank(value: Node) -> int:
    """0 for English literals, 1 for untagged values, 2 for other languages."""
    lang = (value.language or "").lower() if isinstance(value, Literal) else ""
    return 0 if lang == "en" or lang.startswith("en-") else 1 if not lang else 2


def _natural(code: str) -> list[tuple[int, int | str]]:
    """Sort key that puts "2" before "10" and "1a" before "1b"."""
    return [
        (0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", code)
    ]
