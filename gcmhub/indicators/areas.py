"""Countries and aggregates: codes, UN M49 numbers, names, and how a source's spelling is read.

The gazetteer is built from the shipped reference files (`data/reference/`): the ISO 3166 list
with UN M49 regions (lukes, CC BY-SA 4.0) and the World Bank's country and aggregate codes with
region and income group (WDI 2023, CC BY 4.0), plus the UN DESA location codes of the regions
in the International Migrant Stock 2020 file. Codes are ISO alpha-3 for countries (the World
Bank's XKX for Kosovo and CHI for the Channel Islands), the World Bank's codes for its
aggregates, `UN-NNN` for UN DESA regions and groups (NNN is the M49 or DESA location number),
and the residuals named in `RESIDUALS`.

Names are matched exactly after folding case, accents, apostrophes and spacing, against the
names in those files and the explicit `NAME_ALIASES` (older World Bank spellings); a name that
matches nothing, or two different codes, is not guessed: the loader reports it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
ISO_FILE = DATA / "iso3166_m49_regions.csv"
WB_FILE = DATA / "wdi_country_groups_2023.csv"
IMS_FILE = DATA / "undesa_ims2020_stock_by_destination_sex.csv"

# Spellings of the World Bank's 2017 bilateral matrices that differ from its 2023 names.
NAME_ALIASES = {
    "Cote d'Ivoire": "CIV",
    "Curacao": "CUW",
    "Czech Republic": "CZE",
    "Faeroe Islands": "FRO",
    "Korea, Dem. Rep.": "PRK",
    "Macedonia, FYR": "MKD",
    "Sao Tome and Principe": "STP",
    "Swaziland": "SWZ",
    "Turkey": "TUR",
}
# Codes some sources use for an area another code names here.
CODE_ALIASES = {"KSV": "XKX"}  # RPW writes Kosovo KSV; the World Bank's code is XKX
# Areas that are in a shipped file but in no reference list.
EXTRA = {
    "ANT": ("Netherlands Antilles", 530, "country"),  # dissolved 2010; RPW corridors to 2011
}
# Residual rows of the World Bank 2017 migration matrix: not countries, kept as aggregates.
RESIDUALS = {
    "Other North": "WB-OTHER-NORTH",
    "Other South": "WB-OTHER-SOUTH",
}


@dataclass(frozen=True)
class Place:
    """A country or an aggregate with its classifications (None where a list has none)."""

    code: str
    name: str
    kind: str  # country | aggregate
    m49: int | None = None
    iso2: str | None = None
    un_region: str | None = None
    un_subregion: str | None = None
    un_intermediate: str | None = None
    wb_region: str | None = None
    wb_income_group: str | None = None


def fold(name: str) -> str:
    """Return a name folded for exact matching: no accents, case, apostrophe kinds or spaces."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


class Gazetteer:
    """Codes, M49 numbers and names of every area the shipped data mention."""

    def __init__(self, places: list[Place]) -> None:
        self.places: dict[str, Place] = {}
        self._m49: dict[int, str] = {}
        names: dict[str, set[str]] = {}
        for place in places:
            self.places.setdefault(place.code, place)
            if place.m49 is not None:
                self._m49.setdefault(place.m49, place.code)
            names.setdefault(fold(place.name), set()).add(place.code)
        for name, code in (NAME_ALIASES | RESIDUALS).items():
            names.setdefault(fold(name), set()).add(code)
        self._names = {n: next(iter(c)) for n, c in names.items() if len(c) == 1}
        self.ambiguous = {n for n, c in names.items() if len(c) > 1}

    def code(self, text: str) -> str | None:
        """Return the area a code names (ISO3, World Bank, UN-NNN, or an alias), or None."""
        text = text.strip().upper()
        text = CODE_ALIASES.get(text, text)
        return text if text in self.places else None

    def from_m49(self, number: int) -> str | None:
        """Return the area with this UN M49 (or UN DESA location) number, or None."""
        return self._m49.get(number)

    def from_name(self, name: str) -> str | None:
        """Return the area this name matches exactly (after folding), or None: never a guess."""
        return self._names.get(fold(name))

    def name(self, code: str) -> str:
        """Return an area's name (its code when unknown)."""
        place = self.places.get(code)
        return place.name if place else code


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Return the gazetteer of the shipped reference files (read once)."""
    wb = {row["code"]: row for row in _read(WB_FILE)}
    places: list[Place] = []
    for row in _read(ISO_FILE):
        code = row["alpha-3"]
        extra = wb.get(code, {})
        places.append(
            Place(
                code=code,
                name=row["name"],
                kind="country",
                m49=int(row["country-code"]),
                iso2=row["alpha-2"] or None,
                un_region=row["region"] or None,
                un_subregion=row["sub-region"] or None,
                un_intermediate=row["intermediate-region"] or None,
                wb_region=extra.get("wb_region") or None,
                wb_income_group=extra.get("wb_income_group") or None,
            )
        )
    known = {p.code for p in places}
    for code, row in wb.items():
        if code in known:
            continue
        aggregate = row["is_aggregate"] == "yes"
        places.append(
            Place(
                code=code,
                name=row["name"],
                kind="aggregate" if aggregate else "country",
                m49=830 if code == "CHI" else None,  # the Channel Islands, M49 830
                wb_region=row["wb_region"] or None,
                wb_income_group=row["wb_income_group"] or None,
            )
        )
    # The WB names of countries already listed by ISO (e.g. "Egypt, Arab Rep.") match too.
    for code, row in wb.items():
        if code in known and row["is_aggregate"] != "yes":
            places.append(Place(code=code, name=row["name"], kind="country"))
    for code, (name, m49, kind) in EXTRA.items():
        places.append(Place(code=code, name=name, kind=kind, m49=m49))
    for name, code in RESIDUALS.items():
        places.append(Place(code=code, name=name, kind="aggregate"))
    seen_m49 = {p.m49 for p in places if p.m49 is not None}
    for row in _read(IMS_FILE):
        number = int(row["m49_code"])
        if number in seen_m49:
            if row["level"] == "country_or_area":  # the UN spelling of a listed country
                places.append(Place(code="", name=row["name"], kind="country", m49=number))
            continue
        seen_m49.add(number)
        places.append(Place(code=f"UN-{number}", name=row["name"], kind="aggregate", m49=number))
    gaz = Gazetteer([p for p in places if p.code])
    # UN spellings of listed countries: matched by their M49 number to the country's code.
    for place in places:
        if not place.code and place.m49 is not None:
            listed = gaz.from_m49(place.m49)
            folded = fold(place.name)
            if listed and folded not in gaz.ambiguous:
                current = gaz._names.setdefault(folded, listed)
                if current != listed:
                    del gaz._names[folded]
                    gaz.ambiguous.add(folded)
    return gaz
