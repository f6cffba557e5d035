"""Region (UN M49) and country (ISO 3166-1) schemes from the shipped ISO/M49 table."""

from __future__ import annotations

import csv
import gettext
import io
from collections.abc import Iterable

import pycountry

from gcmhub.taxonomy.schemes import ConceptData

WORLD = "001"
# UN official languages other than English -> pycountry gettext locale
UN_LOCALES = {"fr": "fr", "es": "es", "ar": "ar", "ru": "ru", "zh": "zh_CN"}
LEVELS = ("region", "sub-region", "intermediate-region")


def read_table(text: str) -> list[dict[str, str]]:
    """Rows of the ISO 3166 / M49 CSV (name, alpha-2, alpha-3, country-code, region, ...)."""
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def region_concepts(rows: Iterable[dict[str, str]]) -> list[ConceptData]:
    """World ("001"), then M49 regions, sub-regions and intermediate regions, nested by broader."""
    found: dict[str, ConceptData] = {}
    for row in rows:
        parent = WORLD
        for level in LEVELS:
            code, name = row[f"{level}-code"], row[level]
            if not code:
                continue
            found.setdefault(code, ConceptData(code=code, labels={"en": name}, broader=[parent]))
            parent = code
    world = ConceptData(code=WORLD, labels={"en": "World"})
    ordered: list[ConceptData] = [world]

    def add_children(parent: str) -> None:
        for item in sorted(found.values(), key=lambda concept: concept.code):
            if item.broader == [parent]:
                ordered.append(item)
                add_children(item.code)

    add_children(WORLD)
    return ordered


def country_concepts(
    rows: Iterable[dict[str, str]], aliases: dict[str, list[str]]
) -> list[ConceptData]:
    """One concept per ISO alpha-3 code; related["region"] lists its M49 regions, nearest first."""
    catalogs = {lang: _catalog(locale) for lang, locale in UN_LOCALES.items()}
    concepts = []
    for row in rows:
        code = row["alpha-3"]
        record = pycountry.countries.get(alpha_3=code)
        names = _english_names(record)
        labels = {"en": row["name"]}
        alt_labels = {"en": [row["alpha-2"], row["country-code"], *names, *aliases.get(code, [])]}
        for lang, catalog in catalogs.items():
            translated = [catalog[name] for name in names if name in catalog]
            if translated:
                labels[lang] = translated[0]
                alt_labels[lang] = translated[1:]
        regions = [row[f"{level}-code"] for level in reversed(LEVELS) if row[f"{level}-code"]]
        concepts.append(
            ConceptData(
                code=code,
                labels=labels,
                alt_labels=_clean(alt_labels, labels),
                notation=row["country-code"],
                related={"region": regions} if regions else {},
            )
        )
    return concepts


def _english_names(record: object) -> list[str]:
    """pycountry's name, common name and official name of a country (those it has)."""
    names = [getattr(record, key, None) for key in ("name", "common_name", "official_name")]
    return [name for name in names if isinstance(name, str) and name]


def _catalog(locale: str) -> dict[str, str]:
    """pycountry's ISO 3166-1 translations for one locale (English name -> local name)."""
    try:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:
        return {}
    catalog = getattr(translation, "_catalog", {})
    return {key: value for key, value in catalog.items() if isinstance(key, str) and key and value}


def _clean(alt_labels: dict[str, list[str]], labels: dict[str, str]) -> dict[str, list[str]]:
    """Alternative labels per language without repeats or the preferred label; no empty lists."""
    cleaned = {lang: _unique(items, labels[lang]) for lang, items in alt_labels.items()}
    return {lang: items for lang, items in cleaned.items() if items}


def _unique(items: Iterable[str], label: str) -> list[str]:
    """Items without blanks, repeats or the preferred label, first occurrence kept."""
    seen = {label}
    result = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            result.append(item)
    return result
