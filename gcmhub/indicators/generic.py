"""Loading any CSV of values with a column mapping (a JSON file).

The mapping says what the dataset is and what each column of the file holds:

    {
      "name": "ilo-recruitment-2019", "title": "…", "source": "…", "licence": "CC BY 4.0",
      "indicator": {"code": "X.Y", "name": "…", "unit": "persons", "is_count": true},
      "columns": {"Country": "area_name", "Year": "period", "Value": "value",
                  "Sex": "sex", "Remarks": "note", "Row id": "ignore"},
      "codes": {"sex": {"Male": "M", "Female": "F", "Both sexes": "_T"}}
    }

Column roles: `area` (a code: ISO3, World Bank, UN-NNN), `area_name` (a country name, matched
exactly; one that matches nothing is reported, never guessed), `area_m49`, the same three for
`counterpart`, `indicator` (a code column; the codes must be stored or listed in `indicators`),
`period`, `value`, `sex`, `age`, `category`, `flag`, `note`, and `ignore`. Every column of the
file must be mapped: an unknown column stops the load (`FILE line 1: unknown column(s) …`).
`codes` rewrites a disaggregation's values before they are stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from gcmhub.errors import InvalidInput
from gcmhub.indicators.areas import Gazetteer, gazetteer
from gcmhub.indicators.models import TOTAL
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
    resolve_name,
)

Role = Literal[
    "area",
    "area_name",
    "area_m49",
    "counterpart",
    "counterpart_name",
    "counterpart_m49",
    "indicator",
    "period",
    "value",
    "sex",
    "age",
    "category",
    "flag",
    "note",
    "ignore",
]


class IndicatorSpec(BaseModel):
    """An indicator a mapped file holds."""

    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=300)
    unit: str = Field(min_length=1, max_length=60)
    description: str | None = None
    is_count: bool = False


class Mapping(BaseModel):
    """What a mapping file says."""

    name: str = Field(min_length=1, max_length=80)
    title: str | None = None
    source: str = Field(min_length=1)
    licence: str = Field(min_length=1, max_length=200)
    attribution: str | None = None
    indicator: IndicatorSpec | None = None
    indicators: list[IndicatorSpec] = Field(default_factory=list)
    columns: dict[str, Role]
    codes: dict[Literal["sex", "age", "category"], dict[str, str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> Mapping:
        roles = list(self.columns.values())
        for role in ("period", "value"):
            if role not in roles:
                raise ValueError(f"no column is mapped to '{role}'")
        if sum(r in roles for r in ("area", "area_name", "area_m49")) != 1:
            raise ValueError("map exactly one column to area, area_name or area_m49")
        if sum(r.startswith("counterpart") for r in roles) > 1:
            raise ValueError("map at most one column to a counterpart role")
        if ("indicator" in roles) == (self.indicator is not None):
            raise ValueError("give either an 'indicator' or a column mapped to 'indicator'")
        once = [r for r in roles if r != "ignore"]
        if len(once) != len(set(once)):
            raise ValueError("a role other than 'ignore' is given to two columns")
        return self


def mapping_read(path: Path) -> Mapping:
    """Read and check a mapping file."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        return Mapping.model_validate(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"mapping {path.name}: cannot be read as JSON ({error})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "mapping"
        raise InvalidInput(f"mapping {path.name}: {where}: {first['msg']}") from None


def mapping_info(mapping: Mapping) -> DatasetInfo:
    """Return the dataset description a mapping gives."""
    return DatasetInfo(
        name=mapping.name,
        title=mapping.title or mapping.name,
        kind="series",
        source=mapping.source,
        licence=mapping.licence,
        attribution=mapping.attribution or mapping.source,
    )


def _place(gaz: Gazetteer, role: str, text: str, line: int, problems: Problems) -> str | None:
    if role.endswith("_name"):
        return resolve_name(gaz, text, line, problems)
    if role.endswith("_m49"):
        value = number(text, role, line, problems)
        if value is None:
            return None
        code = gaz.from_m49(int(value))
        if code is None:
            problems.add(line, f"{role} '{text}' is not a known M49 code")
        return code
    return resolve_code(gaz, text, role, line, problems)


def generic_parse(path: Path, mapping: Mapping, stored_indicators: set[str]) -> Parsed:
    """Read a CSV with its mapping; every problem is reported with its line."""
    gaz = gazetteer()
    problems = Problems(path.name)
    specs = [*mapping.indicators, *([mapping.indicator] if mapping.indicator else [])]
    parsed = Parsed(
        indicators=[
            IndicatorDef(
                code=s.code,
                name=s.name,
                unit=s.unit,
                source=mapping.source,
                licence=mapping.licence,
                description=s.description,
                is_count=s.is_count,
            )
            for s in specs
        ]
    )
    known = stored_indicators | {s.code for s in specs}
    role_of = {role: column for column, role in mapping.columns.items() if role != "ignore"}
    for line, row in read_csv(path, mapping.columns, mapping.columns):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        area_role = next(r for r in ("area", "area_name", "area_m49") if r in role_of)
        area = _place(gaz, area_role, row[role_of[area_role]], line, problems)
        counterpart: str | None = TOTAL
        for role in ("counterpart", "counterpart_name", "counterpart_m49"):
            if role in role_of and row[role_of[role]].strip() not in ("", TOTAL):
                counterpart = _place(gaz, role, row[role_of[role]], line, problems)
        code = row[role_of["indicator"]].strip() if "indicator" in role_of else specs[-1].code
        if code not in known:
            problems.add(line, f"indicator '{code}' is neither stored nor defined in the mapping")
            continue
        when = period(row[role_of["period"]], line, problems)
        value = number(row[role_of["value"]], "value", line, problems, optional=True)
        parts = {}
        for part in ("sex", "age", "category"):
            text = row[role_of[part]].strip() if part in role_of else ""
            parts[part] = mapping.codes.get(part, {}).get(text, text) or TOTAL
        if not (area and counterpart and when) or value is None:
            continue
        parsed.rows.append(
            observation(
                gaz,
                code,
                area,
                when,
                value,
                counterpart=counterpart,
                flag=row[role_of["flag"]].strip() or None if "flag" in role_of else None,
                note=row[role_of["note"]].strip() or None if "note" in role_of else None,
                **parts,
            )
        )
    problems.check()
    return parsed
