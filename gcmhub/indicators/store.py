"""The machinery every loader shares: reading a CSV with line numbers, collecting problems,
parsing numbers and periods, and storing a dataset's rows in one bulk insert.

A load is all or nothing: rows are parsed first and every problem collected (`Problems`); if
there is any, `InvalidInput` names the file and the lines (`FILE line N: …`) and nothing is
written. Only then are the dataset, its indicator definitions and its rows inserted, in the
caller's transaction. A dataset loaded before is refused unless `replace=True`, which deletes
the old rows first (in the same transaction).
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from gcmhub.context import Context
from gcmhub.errors import BadParameter, InvalidInput
from gcmhub.indicators.areas import Gazetteer
from gcmhub.indicators.models import (
    TOTAL,
    Area,
    Dataset,
    Indicator,
    Observation,
    PolicyAnswer,
    RecruitmentCost,
    RemittancePrice,
)

SHOWN = 5  # problems named in the one-line message; the count says how many in all
_RPW_PERIOD = re.compile(r"^(\d{4})_([1-4])Q$")
BATCH = 20_000  # rows per bulk insert statement
_PERIOD = re.compile(r"^(\d{4})(?:\s*-?\s*(Q[1-4]|M(?:0[1-9]|1[0-2]))|/(\d{4}))?$", re.I)


@dataclass(frozen=True)
class DatasetInfo:
    """Where a dataset comes from and under which terms (shown with every value from it)."""

    name: str
    title: str
    kind: str  # series | areas | rpw | sdg1072 | sdg1071
    source: str
    licence: str
    attribution: str


@dataclass(frozen=True)
class IndicatorDef:
    """An indicator's definition as a loader declares it."""

    code: str
    name: str
    unit: str
    source: str
    licence: str
    description: str | None = None
    is_count: bool = False


class Problems:
    """What is wrong with a file, line by line; raised as one `InvalidInput` line."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[tuple[int, str]] = []
        self.unknown_names: dict[str, int] = {}

    def add(self, line: int, message: str) -> None:
        """Record a problem on a line."""
        self.lines.append((line, message))

    def unknown_name(self, name: str, line: int) -> None:
        """Record a country name that matches no code (reported, never guessed)."""
        self.unknown_names.setdefault(name, line)

    def __bool__(self) -> bool:
        return bool(self.lines or self.unknown_names)

    def check(self) -> None:
        """Raise `InvalidInput` naming the problems, if there are any."""
        if self.unknown_names:
            names = sorted(self.unknown_names.items(), key=lambda item: item[1])
            shown = ", ".join(f"'{n}' (line {line})" for n, line in names[:SHOWN])
            more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
            raise InvalidInput(
                f"{self.file}: country names that match no code: {shown}{more}; "
                "use a code column or add the names to the file's mapping"
            )
        if self.lines:
            first, *rest = sorted(self.lines)[:SHOWN]
            parts = [f"{self.file} line {first[0]}: {first[1]}"]
            parts += [f"line {n}: {m}" for n, m in rest]
            more = f" ({len(self.lines)} problems in all)" if len(self.lines) > SHOWN else ""
            raise InvalidInput("; ".join(parts) + more)


def read_csv(
    path: Path, known: Iterable[str], required: Iterable[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a UTF-8 CSV file whose columns are all known.

    An unknown or missing column stops the load before any row is read: `FILE line 1: …`.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InvalidInput(f"{path.name}: cannot be read ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader, [])]
        except (csv.Error, UnicodeDecodeError) as error:
            raise InvalidInput(f"{path.name} line 1: cannot be read as CSV ({error})") from None
        if not header:
            raise InvalidInput(f"{path.name}: the file is empty")
        known_set = set(known)
        unknown = [h for h in header if h not in known_set]
        if unknown:
            raise InvalidInput(f"{path.name} line 1: unknown column(s) {', '.join(unknown)}")
        missing = [c for c in required if c not in header]
        if missing:
            raise InvalidInput(f"{path.name} line 1: missing column(s) {', '.join(missing)}")
        if len(set(header)) != len(header):
            raise InvalidInput(f"{path.name} line 1: a column is named twice")
        try:
            for row in reader:
                if not row or not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    yield reader.line_num, {"": f"{len(row)} cells for {len(header)} columns"}
                    continue
                yield reader.line_num, dict(zip(header, row, strict=True))
        except (csv.Error, UnicodeDecodeError) as error:
            raise InvalidInput(
                f"{path.name} line {reader.line_num}: cannot be read as CSV ({error})"
            ) from None


def bad_shape(row: dict[str, str]) -> str | None:
    """Return the problem of a row `read_csv` could not split into its columns."""
    return row.get("") if len(row) == 1 and "" in row else None


MISSING = ("", "..")  # an empty cell, or the World Bank's "no value": no observation


def number(
    text: str, column: str, line: int, problems: Problems, optional: bool = False
) -> float | None:
    """Parse a decimal number (no thousands separators); record a problem and return None.

    With `optional`, an empty cell or ".." is no value (None) rather than a problem.
    """
    cleaned = text.strip()
    if optional and cleaned in MISSING:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not cleaned or math.isnan(value) or math.isinf(value) or "_" in cleaned:
        problems.add(line, f"{column} '{text}' is not a number")
        return None
    return value


def period(text: str, line: int, problems: Problems) -> tuple[str, int] | None:
    """Normalise a period to SDMX form (2019, 2019-Q2, 2019-M05, 2020/2021) and its year."""
    rpw = _RPW_PERIOD.match(text.strip())  # the RPW workbook writes 2016_2Q
    match = _PERIOD.match(f"{rpw[1]}Q{rpw[2]}" if rpw else text.strip())
    if not match:
        problems.add(line, f"period '{text}' is not a year, quarter (2019Q2) or month (2019M05)")
        return None
    year, part, until = match.groups()
    if part:
        return f"{year}-{part.upper()}", int(year)
    if until:
        return f"{year}/{until}", int(until)
    return year, int(year)


def resolve_code(
    gaz: Gazetteer, text: str, column: str, line: int, problems: Problems
) -> str | None:
    """Return the area a code column names; record a problem when it names none."""
    code = gaz.code(text)
    if code is None:
        problems.add(line, f"{column} '{text}' is not a known country or area code")
    return code


def resolve_name(gaz: Gazetteer, text: str, line: int, problems: Problems) -> str | None:
    """Return the area a country name matches exactly; record it as unknown otherwise."""
    code = gaz.from_name(text)
    if code is None:
        problems.unknown_name(text.strip(), line)
    return code


def observation(
    gaz: Gazetteer,
    indicator: str,
    area: str,
    period_and_year: tuple[str, int],
    value: float,
    *,
    sex: str = TOTAL,
    age: str = TOTAL,
    counterpart: str = TOTAL,
    category: str = TOTAL,
    flag: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Return one observation row ready for the bulk insert (indicator still a code)."""
    place = gaz.places.get(area)
    return {
        "indicator": indicator,
        "area": area,
        "m49": place.m49 if place else None,
        "sex": sex,
        "age": age,
        "counterpart": counterpart,
        "category": category,
        "period": period_and_year[0],
        "year": period_and_year[1],
        "value": value,
        "flag": flag,
        "note": note,
    }


def file_hash(*paths: Path) -> str:
    """Return the SHA-256 of the files' bytes, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def dataset_begin(
    ctx: Context, info: DatasetInfo, file: str, sha256: str, rows: int, replace: bool
) -> int:
    """Record a dataset (refusing one loaded before unless `replace`) and return its id."""
    session = ctx.session
    before = session.scalar(select(Dataset).where(Dataset.name == info.name))
    if before is not None:
        if not replace:
            raise InvalidInput(
                f"dataset '{info.name}' is loaded already ({before.rows} rows, "
                f"{before.loaded_at:%Y-%m-%d %H:%M} UTC); use --replace to load it again"
            )
        dataset_delete(ctx, before)
    dataset = Dataset(
        name=info.name,
        kind=info.kind,
        title=info.title,
        file=file,
        sha256=sha256,
        source=info.source,
        licence=info.licence,
        attribution=info.attribution,
        rows=rows,
        loaded_at=datetime.now(UTC).replace(tzinfo=None),
    )
    session.add(dataset)
    session.flush()
    return dataset.id


def dataset_delete(ctx: Context, dataset: Dataset) -> None:
    """Delete a dataset and every row it added (explicitly, whatever the foreign keys do)."""
    session = ctx.session
    for table in (Observation, RemittancePrice, PolicyAnswer, RecruitmentCost):
        session.execute(delete(table).where(table.dataset_id == dataset.id))
    if dataset.kind == "areas":
        session.execute(delete(Area))
    session.delete(dataset)
    session.flush()


def indicators_ensure(ctx: Context, definitions: Sequence[IndicatorDef]) -> dict[str, int]:
    """Add indicator definitions not stored yet; return their ids by code.

    A stored indicator with another unit is refused: two files would mix units in one series.
    """
    session = ctx.session
    stored = {i.code: i for i in session.scalars(select(Indicator))}
    for definition in definitions:
        existing = stored.get(definition.code)
        if existing is not None:
            if existing.unit != definition.unit:
                raise InvalidInput(
                    f"indicator {definition.code} is stored with unit '{existing.unit}', "
                    f"not '{definition.unit}'"
                )
            continue
        indicator = Indicator(
            code=definition.code,
            name=definition.name,
            unit=definition.unit,
            source=definition.source,
            licence=definition.licence,
            description=definition.description,
            is_count=definition.is_count,
        )
        session.add(indicator)
        stored[definition.code] = indicator
    session.flush()
    return {code: indicator.id for code, indicator in stored.items()}


def insert_rows(ctx: Context, table: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows in batches with one executemany each."""
    for start in range(0, len(rows), BATCH):
        ctx.session.execute(insert(table), list(rows[start : start + BATCH]))


def observations_store(
    ctx: Context, dataset_id: int, ids: dict[str, int], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert a dataset's observations (each row's `indicator` code becomes its id)."""
    ready = []
    for row in rows:
        item = dict(row)
        item["indicator_id"] = ids[item.pop("indicator")]
        item["dataset_id"] = dataset_id
        ready.append(item)
    insert_rows(ctx, Observation, ready)


def period_param(text: str, parameter: str = "period") -> str:
    """Return a period given as a parameter in SDMX form (2020Q1 -> 2020-Q1), or refuse it."""
    problems = Problems(parameter)
    found = period(text, 0, problems)
    if found is None:
        raise BadParameter(parameter, problems.lines[0][1])
    return found[0]
