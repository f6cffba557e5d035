"""Load a concept scheme from a SKOS Turtle, SKOS JSON-LD, CSV or JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gcmhub.taxonomy.schemes import SchemeData, TaxonomyError, slugify
from gcmhub.taxonomy.tabular import parse_json, scheme_from_csv, scheme_from_json

SUFFIXES = ".ttl, .jsonld, .json or .csv"


def load_scheme_file(
    path: Path, scheme_id: str | None = None, title: str | None = None
) -> SchemeData:
    """Validated scheme read from a file; its type comes from the suffix (and @context in JSON)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".ttl", ".jsonld", ".json", ".csv"}:
        raise TaxonomyError(f"unsupported file type {suffix or path.name!r}; use {SUFFIXES}")
    text = _read_text(path)
    if suffix == ".csv":
        name = title or path.stem
        return scheme_from_csv(text, scheme_id or slugify(name), name)
    if suffix == ".ttl":
        return _from_rdf(text, "turtle", scheme_id, title, path.stem)
    data = parse_json(text)
    if suffix == ".jsonld" or is_json_ld(data):
        return _from_rdf(text, "json-ld", scheme_id, title, path.stem)
    return scheme_from_json(data, scheme_id, title, path.stem)


def is_json_ld(data: Any) -> bool:
    """True for JSON-LD: an object with @context or @graph, or a list of objects with @id."""
    if isinstance(data, dict):
        return "@context" in data or "@graph" in data
    return isinstance(data, list) and any(
        isinstance(item, dict) and ("@id" in item or "@type" in item) for item in data
    )


def _read_text(path: Path) -> str:
    """The file's UTF-8 text (a BOM is dropped); TaxonomyError if unreadable."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise TaxonomyError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TaxonomyError(f"{path.name} is not UTF-8 text") from None


def _from_rdf(
    text: str, rdf_format: str, scheme_id: str | None, title: str | None, stem: str
) -> SchemeData:
    """Scheme from Turtle or JSON-LD text; rdflib is imported only when needed."""
    from gcmhub.taxonomy.skos import parse_graph, scheme_from_graph

    return scheme_from_graph(parse_graph(text, rdf_format), scheme_id, title, stem)
