"""The concept schemes shipped with GCM Hub, read from the package's data folder."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any

from gcmhub.taxonomy import gcm, geography
from gcmhub.taxonomy.schemes import ConceptData, SchemeData, validate
from gcmhub.taxonomy.tabular import scheme_from_csv


def builtin_schemes() -> list[SchemeData]:
    """All shipped schemes, validated; built once, handed out as copies the caller may change."""
    return copy.deepcopy(list(_all_schemes()))


def builtin_scheme(scheme_id: str) -> SchemeData:
    """A copy of one shipped scheme by id ("objective", "country", ...); KeyError if none."""
    return copy.deepcopy(shared_scheme(scheme_id))


def shared_scheme(scheme_id: str) -> SchemeData:
    """The cached scheme itself, without copying: for readers that never change it."""
    for scheme in _all_schemes():
        if scheme.id == scheme_id:
            return scheme
    raise KeyError(scheme_id)


def data_text(name: str) -> str:
    """Text of a file in gcmhub/taxonomy/data."""
    return files("gcmhub.taxonomy").joinpath("data", name).read_text(encoding="utf-8-sig")


@cache
def _all_schemes() -> tuple[SchemeData, ...]:
    """Build and validate every scheme listed in data/schemes.json."""
    schemes = []
    for entry in json.loads(data_text("schemes.json")):
        if "file" in entry:
            scheme = scheme_from_csv(data_text(entry["file"]), entry["id"], entry["title"])
        else:
            scheme = SchemeData(id=entry["id"], title=entry["title"])
            scheme.concepts = BUILDERS[entry["build"]]()
        scheme.description = entry["description"]
        scheme.source = entry["source"]
        scheme.licence = entry["licence"]
        validate(scheme)
        schemes.append(scheme)
    return tuple(schemes)


@cache
def _gcm() -> dict[str, Any]:
    """The parsed GCM text (objectives, actions, guiding principles)."""
    data: dict[str, Any] = json.loads(data_text("gcm.json"))
    return data


@cache
def _m49_rows() -> list[dict[str, str]]:
    """Rows of the ISO 3166 / M49 table."""
    return geography.read_table(data_text("iso3166_m49_regions.csv"))


def _aliases() -> dict[str, list[str]]:
    """Common English country names by alpha-3 code (data/country_aliases.csv)."""
    aliases: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(data_text("country_aliases.csv"))):
        aliases.setdefault(row["alpha3"], []).append(row["alias"])
    return aliases


BUILDERS: dict[str, Callable[[], list[ConceptData]]] = {
    "gcm-objectives": lambda: gcm.objective_concepts(_gcm()),
    "gcm-principles": lambda: gcm.principle_concepts(_gcm()),
    "m49-regions": lambda: geography.region_concepts(_m49_rows()),
    "iso-countries": lambda: geography.country_concepts(_m49_rows(), _aliases()),
}
