"""How the indicators part's rows are written in downloads (CSV and JSON; SDMX-CSV in sdmx.py).

Every table that carries figures has `source` and `licence` columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from gcmhub.downloads import Table
from gcmhub.indicators.schemas import (
    CorridorFigure,
    CountryProfile,
    PolicyRow,
    Sdg10c1,
    SourceRef,
)


class PriceRow(BaseModel):
    """A corridor's firm-level figures in one period: a line of the prices download."""

    period: str
    sending: str
    receiving: str
    services: int
    average: float
    cheapest_firm: str
    cheapest_cost: float
    smart: float | None
    smart_eligible: int
    source: str
    licence: str


class ProfileRow(BaseModel):
    """One number of a country profile: a line of the profile download."""

    country: str
    section: str
    year: int | None
    partner: str
    measure: str
    value: float | None
    flag: str | None
    source: str
    licence: str


def joined_sources(sources: list[SourceRef]) -> tuple[str, str]:
    """Return the sources and licences of a figure as two cells."""
    return "; ".join(s.source for s in sources), "; ".join(s.licence for s in sources)


def price_rows(
    period: str, figures: list[CorridorFigure], sources: list[SourceRef]
) -> list[PriceRow]:
    """Flatten a period's corridor figures into download rows."""
    source, licence = joined_sources(sources)
    return [
        PriceRow(
            period=period,
            sending=c.sending,
            receiving=c.receiving,
            services=c.services,
            average=c.average,
            cheapest_firm=c.cheapest_firm,
            cheapest_cost=c.cheapest_cost,
            smart=c.smart.value,
            smart_eligible=c.smart.eligible,
            source=source,
            licence=licence,
        )
        for c in figures
    ]


def profile_rows(profile: CountryProfile) -> Iterator[ProfileRow]:
    """Flatten a country profile into one row per number."""
    source, licence = joined_sources(profile.sources)

    def row(section: str, year: int | None, partner: str, measure: str, value: Any) -> ProfileRow:
        return ProfileRow(
            country=profile.code,
            section=section,
            year=year,
            partner=partner,
            measure=measure,
            value=value,
            flag=None,
            source=source,
            licence=licence,
        )

    for point in profile.stock:
        for measure, value in point.model_dump(exclude={"year"}).items():
            if value is not None:
                yield row("migrant_stock", point.year, "", measure, value)
    for section, year, partners in (
        ("top_origins", profile.origins_year, profile.top_origins),
        ("top_destinations", profile.destinations_year, profile.top_destinations),
    ):
        for p in partners:
            found = row(section, year, p.code, "migrant_stock", p.value)
            found.flag = p.flag
            yield found
    for r in profile.remittances:
        for measure, value in r.model_dump(exclude={"year"}).items():
            if value is not None:
                yield row("remittances", r.year, "", measure, value)
    for c in profile.costs:
        for measure, value in c.model_dump(exclude={"year"}).items():
            if value is not None:
                yield row("cost_of_sending", c.year, "", measure, value)
    for status in profile.sdg_10_7_2:
        for domain, value in {"ALL": status.category, **status.domains}.items():
            if value is not None:
                yield row("sdg_10_7_2_self_reported", status.year, "", domain, value)
    for aggregate, points in profile.region_comparison.items():
        for r in points:
            for measure, value in r.model_dump(exclude={"year"}).items():
                if value is not None:
                    yield row("comparison", r.year, aggregate, measure, value)


def _plain(row: BaseModel) -> dict[str, Any]:
    return row.model_dump()


def _sdg_row(row: Sdg10c1) -> dict[str, Any]:
    source, licence = joined_sources(row.sources)
    return {**row.model_dump(exclude={"sources"}), "source": source, "licence": licence}


def _policy_row(row: PolicyRow) -> dict[str, Any]:
    flat = row.model_dump(exclude={"domains"})
    return {**flat, **{f"D{n}": row.domains.get(f"D{n}", "") for n in range(1, 7)}}


def _table(name: str, columns: tuple[str, ...], flatten: Any = _plain) -> Table:
    return Table(name=name, columns=columns, flatten=flatten, context={}, node=flatten)


DATASETS = _table(
    "gcmhub-datasets",
    (
        "name",
        "title",
        "kind",
        "files",
        "source",
        "licence",
        "attribution",
        "shipped",
        "loaded",
        "rows",
        "loaded_at",
    ),
)
INDICATORS = _table(
    "gcmhub-indicators",
    ("code", "name", "unit", "description", "is_count", "observations", "source", "licence"),
)
OBSERVATIONS = _table(
    "gcmhub-series",
    (
        "indicator",
        "area",
        "area_name",
        "sex",
        "age",
        "counterpart",
        "category",
        "period",
        "value",
        "unit",
        "flag",
        "note",
        "dataset",
        "source",
        "licence",
    ),
)
CORRIDORS = _table(
    "gcmhub-corridors",
    (
        "sending",
        "sending_name",
        "receiving",
        "receiving_name",
        "period",
        "value",
        "unit",
        "above_3",
        "above_5",
        "dataset",
        "source",
        "licence",
    ),
)
SDG_10_C_1 = _table(
    "gcmhub-sdg-10-c-1",
    (
        "year",
        "corridors",
        "simple_average",
        "weighted_average",
        "corridors_weighted",
        "weights",
        "source",
        "licence",
    ),
    _sdg_row,
)
PRICES = _table("gcmhub-rpw-prices", tuple(PriceRow.model_fields), _plain)
POLICY = _table(
    "gcmhub-sdg-10-7-2",
    (
        "area",
        "area_name",
        "year",
        "period",
        "category",
        "label",
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "D6",
        "nature",
        "dataset",
        "source",
        "licence",
    ),
    _policy_row,
)
PROFILE = _table("gcmhub-country-profile", tuple(ProfileRow.model_fields), _plain)
