"""Concepts from CSV text and plain JSON: one row or object per concept."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from gcmhub.taxonomy.schemes import ConceptData, SchemeData, TaxonomyError, slugify, validate

REQUIRED = ("id", "label")
EXPECTED = "id,label,definition,broader"


def scheme_from_csv(text: str, scheme_id: str, title: str) -> SchemeData:
    """Validated scheme from CSV text with header id,label[,definition,broader,label_fr,...]."""
    try:
        records = list(enumerate(csv.reader(io.StringIO(text.removeprefix("\ufeff"))), start=1))
    except csv.Error as exc:
        raise TaxonomyError(f"not a readable CSV file: {exc}") from None
    rows = [(number, row) for number, row in records if any(cell.strip() for cell in row)]
    if not rows:
        raise TaxonomyError(f"CSV file is empty; expected header {EXPECTED}")
    header = [cell.strip().lower() for cell in rows[0][1]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        raise TaxonomyError(f"missing column(s) {names} in CSV header; expected {EXPECTED}")
    concepts: list[ConceptData] = []
    places: list[str] = []
    for number, row in rows[1:]:
        if len(row) > len(header):
            raise TaxonomyError(
                f"row {number} has {len(row)} values but the header has {len(header)} columns"
            )
        fields = dict(zip(header, (cell.strip() for cell in row), strict=False))
        concepts.append(concept_from_fields(fields, f"row {number}"))
        places.append(f"row {number}")
    scheme = SchemeData(id=scheme_id, title=title, concepts=concepts)
    validate(scheme, places)
    return scheme


def scheme_from_json(data: Any, scheme_id: str | None, title: str | None, stem: str) -> SchemeData:
    """Validated scheme from a JSON list of concept objects or {"id", "title", "concepts"}."""
    meta: Mapping[str, Any] = {}
    items = data
    if isinstance(data, dict):
        meta, items = data, data.get("concepts")
    if not isinstance(items, list):
        raise TaxonomyError(
            'JSON must be a list of concepts or an object with a "concepts" list; '
            "each concept has id, label and optionally definition, broader"
        )
    concepts: list[ConceptData] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise TaxonomyError(f"entry {number} is not an object with id and label")
        concepts.append(concept_from_fields(item, f"entry {number}"))
    own_title = _text(meta.get("title"), "title", "scheme")
    own_id = _text(meta.get("id"), "id", "scheme")
    name = title or own_title or stem
    scheme = SchemeData(
        id=scheme_id or own_id or slugify(own_title or title or "") or slugify(stem),
        title=name,
        description=_text(meta.get("description"), "description", "scheme") or "",
        source=_text(meta.get("source"), "source", "scheme") or "",
        licence=_text(meta.get("licence") or meta.get("license"), "licence", "scheme") or "",
        concepts=concepts,
    )
    validate(scheme, [f"entry {number}" for number in range(1, len(concepts) + 1)])
    return scheme


def parse_json(text: str) -> Any:
    """Parsed JSON, or TaxonomyError naming the line of the syntax error."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise TaxonomyError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise TaxonomyError("not usable JSON: a number with too many digits") from None
    except RecursionError:
        raise TaxonomyError("not usable JSON: arrays or objects nested too deeply") from None


def concept_from_fields(fields: Mapping[str, Any], place: str) -> ConceptData:
    """One concept from a CSV row or JSON object (keys id, label, label_<lang>, definition, ...)."""
    code = _text(fields.get("id", fields.get("code")), "id", place) or ""
    labels = _labels(fields, place)
    alt_labels: dict[str, list[str]] = {}
    for key, value in fields.items():
        lang = _suffix_lang(key, "alt_labels")
        if lang and isinstance(value, dict):
            alt_labels.update(_lang_map(value, key, place))
        elif lang and (values := _ids(value, key, place)):
            alt_labels[lang] = values
    related = fields.get("related") or {}
    return ConceptData(
        code=code,
        labels=labels,
        definition=_text(fields.get("definition"), "definition", place),
        broader=_ids(fields.get("broader"), "broader", place),
        examples=_ids(fields.get("examples"), "examples", place),
        alt_labels=alt_labels,
        notation=_text(fields.get("notation"), "notation", place),
        related=_lang_map(related, "related", place) if isinstance(related, dict) else {},
    )


def _labels(fields: Mapping[str, Any], place: str) -> dict[str, str]:
    """Labels from "label" (English), "label_<lang>" columns and a JSON "labels" object."""
    labels: dict[str, str] = {}
    raw = fields.get("labels")
    if isinstance(raw, dict):
        for lang, value in raw.items():
            if text := _text(value, "labels", place):
                labels[str(lang).lower()] = text
    for key, value in fields.items():
        lang = _suffix_lang(key, "label")
        if lang and (text := _text(value, key, place)):
            labels[lang] = text
    return labels


def _suffix_lang(key: str, base: str) -> str | None:
    """Language of a column named base ("en") or base_<lang>, else None."""
    key = key.lower() if isinstance(key, str) else ""
    if key == base:
        return "en"
    if key.startswith(base + "_") and len(key) > len(base) + 1:
        return key[len(base) + 1 :]
    return None


def _text(value: Any, key: str, place: str) -> str | None:
    """A stripped non-empty string, None for empty; TaxonomyError for non-strings."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise TaxonomyError(f"{place}: {key!r} must be text")
    return value.strip() or None


def _ids(value: Any, key: str, place: str) -> list[str]:
    """A list of strings from a JSON list or a '|'-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split("|")
    elif isinstance(value, list):
        parts = [_text(part, key, place) or "" for part in value]
    else:
        raise TaxonomyError(f"{place}: {key!r} must be a list or a '|'-separated string")
    return [part.strip() for part in parts if part.strip()]


def _lang_map(value: dict[Any, Any], key: str, place: str) -> dict[str, list[str]]:
    """A {name: [strings]} object such as alt_labels or related."""
    result = {str(name): _ids(items, key, place) for name, items in value.items()}
    return {name: items for name, items in result.items() if items}
