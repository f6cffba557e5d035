"""SDMX-CSV (version 1.0 layout) export and import of the series store.

One row per observation: `DATAFLOW` first (GCMHUB:DF_MIGRATION(1.0)), the dimensions
`INDICATOR, REF_AREA, SEX, AGE, COUNTERPART_AREA, CATEGORY, TIME_PERIOD`, then `OBS_VALUE` and
the attributes `UNIT_MEASURE, OBS_STATUS, OBS_COMMENT, SOURCE, LICENCE`. `_T` is the total of
a dimension. The export is public: small counts are withheld (empty OBS_VALUE, OBS_STATUS C).

The import takes the same columns (only DATAFLOW, INDICATOR, REF_AREA, TIME_PERIOD and
OBS_VALUE are required; any other column is refused). REF_AREA and COUNTERPART_AREA are codes
(ISO3, World Bank, UN-NNN). An indicator not defined yet is defined from the row's
UNIT_MEASURE, named by its code; an empty OBS_VALUE is no observation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import TOTAL
from gcmhub.indicators.schemas import ObservationOut
from gcmhub.indicators.shipped import Parsed
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
)

DATAFLOW = "GCMHUB:DF_MIGRATION(1.0)"
COLUMNS = (
    "DATAFLOW",
    "INDICATOR",
    "REF_AREA",
    "SEX",
    "AGE",
    "COUNTERPART_AREA",
    "CATEGORY",
    "TIME_PERIOD",
    "OBS_VALUE",
    "UNIT_MEASURE",
    "OBS_STATUS",
    "OBS_COMMENT",
    "SOURCE",
    "LICENCE",
)
REQUIRED = ("DATAFLOW", "INDICATOR", "REF_AREA", "TIME_PERIOD", "OBS_VALUE")
COUNT_UNITS = {"persons", "people", "number"}


MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8"


def sdmx_record(row: ObservationOut) -> tuple[str, ...]:
    """Return one observation as an SDMX-CSV record (COLUMNS)."""
    return (
        DATAFLOW,
        row.indicator,
        row.area,
        row.sex,
        row.age,
        row.counterpart,
        row.category,
        row.period,
        "" if row.value is None else repr(row.value),
        row.unit,
        row.flag or "",
        row.note or "",
        row.source,
        row.licence,
    )


def sdmx_write(rows: Iterable[ObservationOut], out: TextIO) -> int:
    """Write observations as SDMX-CSV; return how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(sdmx_record(row))
        count += 1
    return count


def sdmx_chunks(rows: Iterable[ObservationOut], per_chunk: int = 500) -> Iterator[str]:
    """Yield observations as SDMX-CSV text, a few hundred rows to a chunk (for streaming)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows, start=1):
        writer.writerow(sdmx_record(row))
        if n % per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def sdmx_parse(path: Path, info: DatasetInfo, known_units: dict[str, str]) -> Parsed:
    """Read an SDMX-CSV file into observations (and definitions of new indicators)."""
    gaz = gazetteer()
    problems = Problems(path.name)
    parsed = Parsed()
    defined: dict[str, str] = dict(known_units)
    for line, row in read_csv(path, COLUMNS, REQUIRED):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        code = row["INDICATOR"].strip()
        unit = row.get("UNIT_MEASURE", "").strip()
        if not code:
            problems.add(line, "INDICATOR is empty")
            continue
        if code not in defined:
            if not unit:
                problems.add(line, f"indicator {code} is not defined: give its UNIT_MEASURE")
                continue
            defined[code] = unit
            parsed.indicators.append(
                IndicatorDef(
                    code=code,
                    name=code,
                    unit=unit,
                    source=info.source,
                    licence=info.licence,
                    is_count=unit.casefold() in COUNT_UNITS,
                )
            )
        elif unit and unit != defined[code]:
            problems.add(line, f"UNIT_MEASURE '{unit}' is not the unit of {code}")
            continue
        area = resolve_code(gaz, row["REF_AREA"], "REF_AREA", line, problems)
        counterpart: str | None = TOTAL
        if row.get("COUNTERPART_AREA", TOTAL).strip() not in ("", TOTAL):
            counterpart = resolve_code(
                gaz, row["COUNTERPART_AREA"], "COUNTERPART_AREA", line, problems
            )
        when = period(row["TIME_PERIOD"], line, problems)
        value = number(row["OBS_VALUE"], "OBS_VALUE", line, problems, optional=True)
        if not (area and counterpart and when) or value is None:
            continue
        parsed.rows.append(
            observation(
                gaz,
                code,
                area,
                when,
                value,
                sex=row.get("SEX", "").strip() or TOTAL,
                age=row.get("AGE", "").strip() or TOTAL,
                counterpart=counterpart,
                category=row.get("CATEGORY", "").strip() or TOTAL,
                flag=row.get("OBS_STATUS", "").strip() or None,
                note=row.get("OBS_COMMENT", "").strip() or None,
            )
        )
    problems.check()
    return parsed
