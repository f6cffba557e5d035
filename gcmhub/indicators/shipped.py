"""The datasets shipped in `data/` (see data/PROVENANCE.md): what each file holds, its licence
and attribution, and how its rows become observations.

Bilateral series put the reporting country in `area` and the other one in `counterpart`:
a migrant stock is (destination, origin); a remittance flow and a corridor cost are
(receiving, sending). Country names of the one file without codes (the World Bank 2017 migration
matrix) are matched exactly with `areas.NAME_ALIASES`; any other name is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gcmhub.indicators.areas import DATA, Gazetteer
from gcmhub.indicators.models import TOTAL
from gcmhub.indicators.store import (
    DatasetInfo,
    IndicatorDef,
    Problems,
    bad_shape,
    number,
    observation,
    period,
    read_csv,
    resolve_code,
    resolve_name,
)

CC_BY = "CC BY 4.0"
CC_IGO = "CC BY 3.0 IGO"
WB = "World Bank"
WDI = "World Bank, World Development Indicators (WDI update of 2023-05-10)"
KNOMAD = "World Bank-KNOMAD, remittance data, June 2023"
DESA20 = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2020). "
    "International Migrant Stock 2020 (POP/DB/MIG/Stock/Rev.2020)"
)
DESA19 = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2019). "
    "International Migrant Stock 2019 (POP/DB/MIG/Stock/Rev.2019)"
)
SELF_REPORTED = (
    "Self-reported policy: governments' answers to the UN Inquiry among Governments on "
    "Population and Development (custodians UN DESA and IOM); 1 = requires further progress, "
    "2 = partially meets, 3 = meets, 4 = fully meets."
)


@dataclass
class Parsed:
    """What a file holds once read: indicator definitions and rows for one table."""

    indicators: list[IndicatorDef] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


Parser = Callable[[list[Path], Gazetteer, Problems], Parsed]


@dataclass(frozen=True)
class Shipped:
    """A shipped dataset: its description, files (under data/) and parser."""

    info: DatasetInfo
    files: tuple[str, ...]
    parse: Parser

    @property
    def paths(self) -> list[Path]:
        """Return the dataset's files."""
        return [DATA / f for f in self.files]


def _areas(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    """The gazetteer itself (built from the two reference files) as `ind_areas` rows."""
    rows = [
        {
            "code": p.code,
            "m49": p.m49,
            "iso2": p.iso2,
            "name": p.name,
            "kind": p.kind,
            "un_region": p.un_region,
            "un_subregion": p.un_subregion,
            "un_intermediate": p.un_intermediate,
            "wb_region": p.wb_region,
            "wb_income_group": p.wb_income_group,
        }
        for p in gaz.places.values()
    ]
    return Parsed(rows=rows)


_WDI_UNITS = {
    "BX.TRF.PWKR.CD.DT": "current US$",
    "BM.TRF.PWKR.CD.DT": "current US$",
    "BX.TRF.PWKR.DT.GD.ZS": "% of GDP",
    "SI.RMT.COST.IB.ZS": "% of amount sent (USD 200)",
    "SI.RMT.COST.OB.ZS": "% of amount sent (USD 200)",
}


def _wdi(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    values, definitions = paths
    parsed = Parsed()
    names = ("indicator_code", "indicator_name", "source_note", "source_organization")
    for line, row in read_csv(definitions, names, names):
        code = row["indicator_code"]
        if code not in _WDI_UNITS:
            problems.add(line, f"indicator_code '{code}' is not one of the five WDI series")
            continue
        parsed.indicators.append(
            IndicatorDef(
                code=code,
                name=row["indicator_name"],
                unit=_WDI_UNITS[code],
                source=f"{row['source_organization']} ({WDI})",
                licence=CC_BY,
                description=row["source_note"],
            )
        )
    defined = {i.code for i in parsed.indicators}
    columns = ("country_code", "country_name", "indicator_code", "year", "value")
    for line, row in read_csv(values, columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        code = row["indicator_code"]
        if code not in defined:
            problems.add(line, f"indicator_code '{code}' has no definition")
            continue
        area = resolve_code(gaz, row["country_code"], "country_code", line, problems)
        when = period(row["year"], line, problems)
        value = number(row["value"], "value", line, problems, optional=True)
        if area and when and value is not None:
            parsed.rows.append(observation(gaz, code, area, when, value))
    return parsed


def _knomad(direction: str) -> Parser:
    column = f"{direction}_usd_million"
    code = f"KNOMAD.REMIT.{'IN' if direction == 'inflows' else 'OUT'}"
    name = f"Remittance {direction} (KNOMAD/World Bank, June 2023)"

    def parse(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
        parsed = Parsed(
            indicators=[
                IndicatorDef(
                    code=code,
                    name=name,
                    unit="US$ million",
                    source=KNOMAD,
                    licence=CC_BY,
                    description="Annual remittance "
                    + direction
                    + "; 2022 is an estimate (flag E). In early years a 0 often means "
                    "'not available' in the source; it is kept as published.",
                )
            ]
        )
        columns = ("country_code", "country_name", "year", column)
        for line, row in read_csv(paths[0], columns, columns):
            if (shape := bad_shape(row)) is not None:
                problems.add(line, shape)
                continue
            area = resolve_code(gaz, row["country_code"], "country_code", line, problems)
            when = period(row["year"], line, problems)
            value = number(row[column], column, line, problems, optional=True)
            if area and when and value is not None:
                flag = "E" if when[1] == 2022 else None
                parsed.rows.append(observation(gaz, code, area, when, value, flag=flag))
        return parsed

    return parse


def _bilateral_remittances(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    code = "WB.REMIT.BILATERAL"
    parsed = Parsed(
        indicators=[
            IndicatorDef(
                code=code,
                name="Bilateral remittance estimates, received from the counterpart country",
                unit="US$ million",
                source="World Bank, Bilateral Remittance Matrix 2017 (April 2018 version)",
                licence=CC_BY,
                description="Model estimates (not observed flows) for 2017: area = receiving "
                "country, counterpart = sending country.",
            )
        ]
    )
    columns = (
        "sending_country",
        "sending_code",
        "receiving_country",
        "receiving_code",
        "remittances_usd_million",
    )
    for line, row in read_csv(paths[0], columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        receiving = resolve_code(gaz, row["receiving_code"], "receiving_code", line, problems)
        sending = resolve_code(gaz, row["sending_code"], "sending_code", line, problems)
        value = number(
            row["remittances_usd_million"], "remittances_usd_million", line, problems, optional=True
        )
        if receiving and sending and value is not None:
            parsed.rows.append(
                observation(gaz, code, receiving, ("2017", 2017), value, counterpart=sending)
            )
    return parsed


def _rpw_corridors(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    code = "RPW.ATCR.CORR"
    parsed = Parsed(
        indicators=[
            IndicatorDef(
                code=code,
                name="Average total cost to remit USD 200 in the corridor (RPW ATCR.CORR)",
                unit="% of amount sent (USD 200)",
                source="World Bank, Remittance Prices Worldwide (Corridors), DataBank, "
                "last updated 2020-12-07",
                licence=CC_BY,
                description="Simple average of the services surveyed in the corridor: "
                "area = receiving country, counterpart = sending country.",
            )
        ]
    )
    columns = (
        "sending_code",
        "sending_name",
        "receiving_code",
        "receiving_name",
        "period",
        "avg_total_cost_pct",
    )
    for line, row in read_csv(paths[0], columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        receiving = resolve_code(gaz, row["receiving_code"], "receiving_code", line, problems)
        sending = resolve_code(gaz, row["sending_code"], "sending_code", line, problems)
        when = period(row["period"], line, problems)
        value = number(
            row["avg_total_cost_pct"], "avg_total_cost_pct", line, problems, optional=True
        )
        if receiving and sending and when and value is not None:
            parsed.rows.append(observation(gaz, code, receiving, when, value, counterpart=sending))
    return parsed


_IMS_COLUMNS = (
    "m49_code",
    "name",
    "level",
    "type_of_data",
    "notes",
    "year",
    "migrant_stock_total",
    "migrant_stock_male",
    "migrant_stock_female",
    "population_total_thousands",
    "population_male_thousands",
    "population_female_thousands",
    "migrant_share_of_population_pct",
    "female_share_of_migrants_pct",
    "refugees_and_asylum_seekers",
)
# column -> (indicator, sex)
_IMS_VALUES = {
    "migrant_stock_total": ("UNDESA.IMS.STOCK", TOTAL),
    "migrant_stock_male": ("UNDESA.IMS.STOCK", "M"),
    "migrant_stock_female": ("UNDESA.IMS.STOCK", "F"),
    "population_total_thousands": ("UNDESA.IMS.POP", TOTAL),
    "population_male_thousands": ("UNDESA.IMS.POP", "M"),
    "population_female_thousands": ("UNDESA.IMS.POP", "F"),
    "migrant_share_of_population_pct": ("UNDESA.IMS.SHARE", TOTAL),
    "female_share_of_migrants_pct": ("UNDESA.IMS.FEMALE_SHARE", TOTAL),
    "refugees_and_asylum_seekers": ("UNDESA.IMS.REFUGEES", TOTAL),
}


def _ims2020(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    def define(code: str, name: str, unit: str, count: bool) -> IndicatorDef:
        return IndicatorDef(code, name, unit, DESA20, CC_IGO, None, count)

    parsed = Parsed(
        indicators=[
            define("UNDESA.IMS.STOCK", "International migrant stock at mid-year", "persons", True),
            define("UNDESA.IMS.POP", "Total population at mid-year", "thousands", False),
            define(
                "UNDESA.IMS.SHARE",
                "International migrants as a share of the total population",
                "% of population",
                False,
            ),
            define(
                "UNDESA.IMS.FEMALE_SHARE",
                "Female migrants as a share of all international migrants",
                "% of migrants",
                False,
            ),
            define(
                "UNDESA.IMS.REFUGEES",
                "Refugees and asylum seekers (estimated, included in the migrant stock)",
                "persons",
                True,
            ),
        ]
    )
    for line, row in read_csv(paths[0], _IMS_COLUMNS, _IMS_COLUMNS):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        m49 = number(row["m49_code"], "m49_code", line, problems)
        when = period(row["year"], line, problems)
        if m49 is None or when is None:
            continue
        area = gaz.from_m49(int(m49))
        if area is None:
            problems.add(line, f"m49_code '{row['m49_code']}' is not a known location")
            continue
        details = [f"type of data: {row['type_of_data']}"] if row["type_of_data"] else []
        if row["notes"]:
            details.append(f"notes (UN DESA Notes sheet): {row['notes']}")
        note = "; ".join(details) or None
        for column, (code, sex) in _IMS_VALUES.items():
            if not row[column].strip():
                continue  # not estimated for this location
            value = number(row[column], column, line, problems, optional=True)
            if value is not None:
                row_note = note if code == "UNDESA.IMS.STOCK" else None
                parsed.rows.append(
                    observation(gaz, code, area, when, value, sex=sex, note=row_note)
                )
    return parsed


def _ims2019_bilateral(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    code = "UNDESA.IMS2019.BILATERAL"
    parsed = Parsed(
        indicators=[
            IndicatorDef(
                code=code,
                name="International migrant stock by origin (both sexes)",
                unit="persons",
                source=DESA19,
                licence=CC_IGO,
                description="Area = country of destination, counterpart = country of origin. "
                "Origins 'Other' and 'Unknown' are not in the shipped copy (totals about 0.6 % "
                "below the official ones).",
                is_count=True,
            )
        ]
    )
    columns = ("year", "destination", "destination_m49", "origin", "origin_m49", "migrant_stock")
    for line, row in read_csv(paths[0], columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        when = period(row["year"], line, problems)
        dest = number(row["destination_m49"], "destination_m49", line, problems)
        orig = number(row["origin_m49"], "origin_m49", line, problems)
        value = number(row["migrant_stock"], "migrant_stock", line, problems, optional=True)
        if when is None or dest is None or orig is None or value is None:
            continue
        area, origin = gaz.from_m49(int(dest)), gaz.from_m49(int(orig))
        if area is None or origin is None:
            problems.add(line, "an M49 code is not a known location")
            continue
        parsed.rows.append(observation(gaz, code, area, when, value, counterpart=origin))
    return parsed


def _wb_migration(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    code = "WB.MIG.BILATERAL"
    parsed = Parsed(
        indicators=[
            IndicatorDef(
                code=code,
                name="Bilateral migrant stock estimates by origin",
                unit="persons",
                source="World Bank, Bilateral Migration Matrix 2017 (based on UN DESA 2017)",
                licence=CC_BY,
                description="Model estimates for 2017: area = destination, counterpart = "
                "origin; 'Other North' and 'Other South' are residual origins.",
                is_count=True,
            )
        ]
    )
    columns = ("origin", "destination", "migrant_stock")
    for line, row in read_csv(paths[0], columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        destination = resolve_name(gaz, row["destination"], line, problems)
        origin = resolve_name(gaz, row["origin"], line, problems)
        value = number(row["migrant_stock"], "migrant_stock", line, problems, optional=True)
        if destination and origin and value is not None:
            parsed.rows.append(
                observation(gaz, code, destination, ("2017", 2017), value, counterpart=origin)
            )
    return parsed


_SDG1072 = IndicatorDef(
    code="SG_CPA_MIGRS",
    name="SDG 10.7.2: countries with migration policies to facilitate orderly, safe, regular "
    "and responsible migration and mobility of people (self-reported policy)",
    unit="category 1-4",
    source="UN DESA and IOM (UN SDG Global Database)",
    licence="CC BY 4.0 (Our World in Data export); national platforms per their terms",
    description=SELF_REPORTED + " Category ALL is all domains; D1-D6 the six policy domains.",
)


def _sdg1072_global(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    parsed = Parsed(indicators=[_SDG1072])
    columns = ("entity", "iso3", "year", "series", "value", "scale")
    for line, row in read_csv(paths[0], columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        if row["series"] != "SG_CPA_MIGRS (All Domains)":
            problems.add(line, f"series '{row['series']}' is not SG_CPA_MIGRS (All Domains)")
            continue
        area = resolve_code(gaz, row["iso3"], "iso3", line, problems)
        when = period(row["year"], line, problems)
        value = number(row["value"], "value", line, problems, optional=True)
        if value is not None and value not in (1, 2, 3, 4):
            problems.add(line, f"value '{row['value']}' is not a category 1-4")
            continue
        if area and when and value is not None:
            parsed.rows.append(observation(gaz, "SG_CPA_MIGRS", area, when, value, category="ALL"))
    return parsed


def _sdg1072_national(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    parsed = Parsed(indicators=[_SDG1072])
    columns = ("country", "iso3", "source_repo", "year", "domain_code", "domain", "value")
    for line, row in read_csv(paths[0], columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        domain = row["domain_code"]
        if domain not in ("ALL", "D1", "D2", "D3", "D4", "D5", "D6"):
            problems.add(line, f"domain_code '{domain}' is not ALL or D1-D6")
            continue
        area = resolve_code(gaz, row["iso3"], "iso3", line, problems)
        when = period(row["year"], line, problems)
        value = number(row["value"], "value", line, problems, optional=True)
        if value is not None and value not in (1, 2, 3, 4):
            problems.add(line, f"value '{row['value']}' is not a category 1-4")
            continue
        if area and when and value is not None:
            note = f"published on the Open SDG platform {row['source_repo']}"
            parsed.rows.append(
                observation(gaz, "SG_CPA_MIGRS", area, when, value, category=domain, note=note)
            )
    return parsed


def _ons(paths: list[Path], gaz: Gazetteer, problems: Problems) -> Parsed:
    code = "ONS.SDG10C1.GBR"
    parsed = Parsed(
        indicators=[
            IndicatorDef(
                code=code,
                name="SDG 10.c.1: remittance costs as a proportion of the amount remitted, "
                "sending from the UK (ONS)",
                unit="% of amount sent",
                source="Office for National Statistics (UK SDG data, indicator 10.c.1), from "
                "World Bank Remittance Prices Worldwide",
                licence="Open Government Licence v3.0 (ONS); underlying RPW CC BY 4.0",
            )
        ]
    )
    columns = ("country", "iso3", "period", "series", "units", "value")
    for line, row in read_csv(paths[0], columns, columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        area = resolve_code(gaz, row["iso3"], "iso3", line, problems)
        when = period(row["period"], line, problems)
        value = number(row["value"], "value", line, problems, optional=True)
        if area and when and value is not None:
            parsed.rows.append(observation(gaz, code, area, when, value))
    return parsed


def _info(name: str, title: str, source: str, licence: str, kind: str = "series") -> DatasetInfo:
    return DatasetInfo(
        name=name, title=title, kind=kind, source=source, licence=licence, attribution=source
    )


SHIPPED: dict[str, Shipped] = {
    s.info.name: s
    for s in (
        Shipped(
            _info(
                "areas",
                "Countries and areas: ISO 3166 codes with UN M49 regions; World Bank regions "
                "and income groups (FY2023)",
                "lukes/ISO-3166-Countries-with-Regional-Codes 10.0 (ISO 3166-1, UN M49); "
                "World Bank, WDI country metadata (2023)",
                "CC BY-SA 4.0 (ISO 3166 / M49 list, share-alike); CC BY 4.0 (World Bank)",
                kind="areas",
            ),
            ("iso3166_m49_regions.csv", "wdi_country_groups_2023.csv"),
            _areas,
        ),
        Shipped(
            _info(
                "wdi-remittances",
                "Personal remittances received and paid, % of GDP, and the cost of sending "
                "remittances to and from each country (SDG 10.c.1), 1970-2022",
                WDI,
                CC_BY,
            ),
            (
                "wdi_remittance_indicators.csv",
                "wdi_remittance_indicators_definitions.csv",
            ),
            _wdi,
        ),
        Shipped(
            _info("knomad-inflows", "Remittance inflows by country, 2000-2022", KNOMAD, CC_BY),
            ("knomad_remittance_inflows_2023-06.csv",),
            _knomad("inflows"),
        ),
        Shipped(
            _info("knomad-outflows", "Remittance outflows by country, 2000-2022", KNOMAD, CC_BY),
            ("knomad_remittance_outflows_2023-06.csv",),
            _knomad("outflows"),
        ),
        Shipped(
            _info(
                "wb-bilateral-remittances-2017",
                "Bilateral remittance estimates 2017, sending to receiving country",
                "World Bank, Bilateral Remittance Matrix 2017 (April 2018 version)",
                CC_BY,
            ),
            ("wb_bilateral_remittances_2017.csv",),
            _bilateral_remittances,
        ),
        Shipped(
            _info(
                "rpw-corridors",
                "Average total cost of sending USD 200 per corridor, 2011Q1-2020Q3",
                "World Bank, Remittance Prices Worldwide (Corridors), DataBank, "
                "last updated 2020-12-07",
                CC_BY,
            ),
            ("rpw_corridor_average_cost_2011-2020.csv",),
            _rpw_corridors,
        ),
        Shipped(
            _info(
                "undesa-ims2020",
                "International migrant stock by destination and sex, population, migrant "
                "share, refugees, 1990-2020",
                DESA20,
                CC_IGO,
            ),
            ("undesa_ims2020_stock_by_destination_sex.csv",),
            _ims2020,
        ),
        Shipped(
            _info(
                "undesa-ims2019-bilateral",
                "International migrant stock by destination and origin, 1990-2019",
                DESA19,
                CC_IGO,
            ),
            ("undesa_ims2019_bilateral_stock.csv",),
            _ims2019_bilateral,
        ),
        Shipped(
            _info(
                "wb-bilateral-migration-2017",
                "Bilateral migrant stock estimates 2017, origin to destination",
                "World Bank, Bilateral Migration Matrix 2017",
                CC_BY,
            ),
            ("wb_bilateral_migration_matrix_2017.csv",),
            _wb_migration,
        ),
        Shipped(
            _info(
                "sdg-10-7-2-global",
                "SDG 10.7.2 all domains (self-reported policy), 2019 and 2021",
                "UN DESA and IOM, SDG 10.7.2 (SG_CPA_MIGRS), UN SDG Global Database, as "
                "exported by Our World in Data",
                "CC BY 4.0 (Our World in Data export)",
            ),
            ("sdg_10_7_2_all_domains_global.csv",),
            _sdg1072_global,
        ),
        Shipped(
            _info(
                "sdg-10-7-2-national",
                "SDG 10.7.2 by policy domain (self-reported policy) from six national Open SDG "
                "platforms",
                "National statistics offices of Armenia, Canada, Croatia, Malta, Bosnia and "
                "Herzegovina and Kazakhstan (Open SDG platforms)",
                "Open data of each national statistics office (Canada: Open Government "
                "Licence - Canada; others per platform terms, not verified)",
            ),
            ("sdg_10_7_2_by_domain_national_platforms.csv",),
            _sdg1072_national,
        ),
        Shipped(
            _info(
                "sdg-10-c-1-uk",
                "SDG 10.c.1 for the United Kingdom, quarterly 2013Q1-2021Q1",
                "Office for National Statistics, UK SDG data (10.c.1), from World Bank RPW",
                "Open Government Licence v3.0 (ONS); underlying RPW CC BY 4.0",
            ),
            ("sdg_10_c_1_uk_ons.csv",),
            _ons,
        ),
    )
}
