"""Firm-level remittance prices in the World Bank Remittance Prices Worldwide (RPW) layout, and
the figures computed from them.

The loader reads a CSV export of an RPW sheet (column names as in the workbook: `period`,
`source_code`, `destination_code`, `firm`, `firm_type`, `product`, `speed actual`,
`cc1 lcu amount`, `cc1 lcu fee`, `cc1 fx margin`, the same `cc2 …` for USD 500, `transparent`,
and the other descriptive columns of both sheets), plus one column the workbook does not have:
`accessible` (yes/no), needed by SmaRT. No firm-level file is shipped: the full workbook is not
redistributed in any repository found (see data/PROVENANCE.md).

Computations (World Bank RPW methodology):
- total cost % of a service = fee / amount x 100 + exchange-rate margin % (amount and fee in the
  sending currency; a margin may be negative, a promotion). A file's own `cc1 total cost %` is
  checked against it (0.05 points at most apart) and the computed value is kept;
- corridor average = the simple average of the total cost of the corridor's services (USD 200);
- global average = the simple average of the total cost of all services in the period;
- global weighted average = the corridor averages weighted by the corridor's remittance flow
  (by default the World Bank bilateral remittance matrix, stored as WB.REMIT.BILATERAL);
  corridors without a flow are left out and counted;
- SmaRT = the simple average of the three cheapest services for USD 200 in a corridor that are
  transparent, take 5 days or less and are accessible; a corridor with fewer than three such
  services has no SmaRT value (None), and a service whose accessibility is not given does not
  count as accessible;
- cheapest provider per corridor = the service with the lowest total cost (ties: firm name).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import Indicator, Observation, RemittancePrice
from gcmhub.indicators.schemas import CorridorFigure, RpwSummary, SmartFigure
from gcmhub.indicators.store import (
    DatasetInfo,
    Problems,
    bad_shape,
    dataset_begin,
    file_hash,
    insert_rows,
    number,
    period,
    period_param,
    read_csv,
    resolve_code,
)

REQUIRED = (
    "period",
    "source_code",
    "destination_code",
    "firm",
    "cc1 lcu amount",
    "cc1 lcu fee",
    "cc1 fx margin",
)
_DESCRIPTIVE = (
    "id",
    "date",
    "source_name",
    "source_region",
    "source_income",
    "source_lending",
    "source_G8G20",
    "destination_name",
    "destination_region",
    "destination_income",
    "destination_lending",
    "destination_G8G20",
    "cc1 denomination amount",
    "cc1 lcu code",
    "cc1 lcu fx rate",
    "cc2 denomination amount",
    "cc2 lcu code",
    "cc2 lcu fx rate",
    "inter lcu bank fx",
    "note1",
    "note2",
    "corridor",
    "sending location",
    "coverage",
    "pick-up method",
    "payment instrument",
    "access point",
    "receiving network coverage",
    "Standard Note",
    "pickup method",
    "pickup location",
)
KNOWN = (
    *REQUIRED,
    "firm_type",
    "product",
    "speed actual",
    "cc1 total cost %",
    "cc2 lcu amount",
    "cc2 lcu fee",
    "cc2 fx margin",
    "cc2 total cost %",
    "transparent",
    "accessible",
    *_DESCRIPTIVE,
)
# RPW's speed classes -> the most days they may take.
SPEEDS = {
    "less than one hour": 0,
    "same day": 0,
    "next day": 1,
    "2 days": 2,
    "3-5 days": 5,
    "6 days or more": 6,
}
TOTAL_COST_TOLERANCE = 0.05  # percentage points between a file's total and the computed one
SMART_MAX_DAYS = 5
SMART_SERVICES = 3


@dataclass(frozen=True)
class Service:
    """One priced service of a corridor in a period (total costs in % of the amount)."""

    period: str
    source: str
    destination: str
    firm: str
    total_cost: float
    total_cost_500: float | None = None
    firm_type: str | None = None
    product: str | None = None
    speed_days: int | None = None
    transparent: bool | None = None
    accessible: bool | None = None

    @property
    def corridor(self) -> tuple[str, str]:
        """Return (sending, receiving)."""
        return (self.source, self.destination)


def total_cost(fee: float, amount: float, fx_margin: float) -> float:
    """Return the total cost in % of the amount sent: fee / amount x 100 + FX margin %."""
    if amount <= 0:
        raise InvalidInput(f"amount {amount} must be more than 0")
    return fee / amount * 100 + fx_margin


def corridor_averages(services: Iterable[Service]) -> dict[tuple[str, str], float]:
    """Return each corridor's simple average of its services' total cost (USD 200)."""
    costs: dict[tuple[str, str], list[float]] = defaultdict(list)
    for service in services:
        costs[service.corridor].append(service.total_cost)
    return {corridor: statistics.fmean(values) for corridor, values in costs.items()}


def global_average(services: Iterable[Service]) -> float | None:
    """Return the simple average of the total cost of all services (None: no service)."""
    values = [s.total_cost for s in services]
    return statistics.fmean(values) if values else None


def weighted_average(
    averages: Mapping[tuple[str, str], float], weights: Mapping[tuple[str, str], float]
) -> tuple[float | None, int, int]:
    """Return (average weighted by flows, corridors weighted, corridors without a flow)."""
    used = {c: weights[c] for c in averages if weights.get(c, 0) > 0}
    total = sum(used.values())
    if not total:
        return None, 0, len(averages)
    value = sum(averages[c] * w for c, w in used.items()) / total
    return value, len(used), len(averages) - len(used)


def smart_eligible(service: Service) -> bool:
    """Whether a service counts for SmaRT: transparent, 5 days or less, accessible."""
    return (
        service.transparent is True
        and service.accessible is True
        and service.speed_days is not None
        and service.speed_days <= SMART_MAX_DAYS
    )


def smart(services: Iterable[Service]) -> dict[tuple[str, str], tuple[float | None, int]]:
    """Return per corridor (SmaRT, eligible services): the mean of the three cheapest eligible.

    SmaRT is None where fewer than three services are eligible.
    """
    eligible: dict[tuple[str, str], list[float]] = defaultdict(list)
    corridors: set[tuple[str, str]] = set()
    for service in services:
        corridors.add(service.corridor)
        if smart_eligible(service):
            eligible[service.corridor].append(service.total_cost)
    result: dict[tuple[str, str], tuple[float | None, int]] = {}
    for corridor in corridors:
        costs = sorted(eligible.get(corridor, []))
        value = statistics.fmean(costs[:SMART_SERVICES]) if len(costs) >= SMART_SERVICES else None
        result[corridor] = (value, len(costs))
    return result


def cheapest(services: Iterable[Service]) -> dict[tuple[str, str], Service]:
    """Return each corridor's cheapest service for USD 200 (ties: the firm first by name)."""
    best: dict[tuple[str, str], Service] = {}
    for service in services:
        current = best.get(service.corridor)
        if current is None or (service.total_cost, service.firm) < (
            current.total_cost,
            current.firm,
        ):
            best[service.corridor] = service
    return best


# -- loading ---------------------------------------------------------------------------------


def _flag(text: str, column: str, line: int, problems: Problems) -> bool | None:
    cleaned = text.strip().casefold()
    if not cleaned:
        return None
    if cleaned in ("yes", "y", "true", "1"):
        return True
    if cleaned in ("no", "n", "false", "0"):
        return False
    problems.add(line, f"{column} '{text}' is not yes or no")
    return None


def _speed(text: str, line: int, problems: Problems) -> int | None:
    cleaned = " ".join(text.replace("–", "-").split()).casefold()
    if not cleaned:
        return None
    if cleaned not in SPEEDS:
        problems.add(line, f"speed actual '{text}' is not one of RPW's speed classes")
        return None
    return SPEEDS[cleaned]


def _price(
    row: dict[str, str], prefix: str, line: int, problems: Problems, required: bool
) -> tuple[float, float, float, float] | None:
    """Return (amount, fee, fx margin, total cost %) of one price point, checked."""
    cells = [row.get(f"{prefix} lcu amount", ""), row.get(f"{prefix} lcu fee", "")]
    cells.append(row.get(f"{prefix} fx margin", ""))
    if not required and not any(c.strip() for c in cells):
        return None
    amount = number(cells[0], f"{prefix} lcu amount", line, problems)
    fee = number(cells[1], f"{prefix} lcu fee", line, problems)
    margin = number(cells[2], f"{prefix} fx margin", line, problems)
    if amount is None or fee is None or margin is None:
        return None
    if amount <= 0 or fee < 0:
        problems.add(line, f"{prefix}: the amount must be more than 0 and the fee 0 or more")
        return None
    total = total_cost(fee, amount, margin)
    given = row.get(f"{prefix} total cost %", "").strip()
    if given:
        stated = number(given, f"{prefix} total cost %", line, problems)
        if stated is not None and abs(stated - total) > TOTAL_COST_TOLERANCE:
            problems.add(
                line,
                f"{prefix} total cost % {given} disagrees with fee / amount x 100 + fx margin "
                f"= {total:.4f}",
            )
    return amount, fee, margin, total


def rpw_parse(path: Path) -> list[dict[str, Any]]:
    """Read an RPW-layout CSV into `ind_rpw_prices` rows; raise on any bad line."""
    gaz = gazetteer()
    problems = Problems(path.name)
    rows: list[dict[str, Any]] = []
    for line, row in read_csv(path, KNOWN, REQUIRED):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        when = period(row["period"], line, problems)
        source = resolve_code(gaz, row["source_code"], "source_code", line, problems)
        dest = resolve_code(gaz, row["destination_code"], "destination_code", line, problems)
        firm = row["firm"].strip()
        if not firm:
            problems.add(line, "firm is empty")
        cc1 = _price(row, "cc1", line, problems, required=True)
        cc2 = _price(row, "cc2", line, problems, required=False)
        speed = _speed(row.get("speed actual", ""), line, problems)
        transparent = _flag(row.get("transparent", ""), "transparent", line, problems)
        accessible = _flag(row.get("accessible", ""), "accessible", line, problems)
        if not (when and source and dest and firm and cc1):
            continue
        rows.append(
            {
                "period": when[0],
                "source_code": source,
                "dest_code": dest,
                "firm": firm,
                "firm_type": row.get("firm_type", "").strip() or None,
                "product": row.get("product", "").strip() or None,
                "speed": row.get("speed actual", "").strip() or None,
                "speed_days": speed,
                "transparent": transparent,
                "accessible": accessible,
                "cc1_amount": cc1[0],
                "cc1_fee": cc1[1],
                "cc1_fx_margin": cc1[2],
                "cc1_total_cost": cc1[3],
                "cc2_amount": cc2[0] if cc2 else None,
                "cc2_fee": cc2[1] if cc2 else None,
                "cc2_fx_margin": cc2[2] if cc2 else None,
                "cc2_total_cost": cc2[3] if cc2 else None,
            }
        )
    problems.check()
    return rows


def rpw_load(ctx: Context, path: Path, info: DatasetInfo, replace: bool = False) -> int:
    """Load an RPW-layout file as one dataset; return the services stored."""
    rows = rpw_parse(path)
    dataset_id = dataset_begin(ctx, info, path.name, file_hash(path), len(rows), replace)
    insert_rows(ctx, RemittancePrice, [{**r, "dataset_id": dataset_id} for r in rows])
    return len(rows)


def rpw_services(ctx: Context, when: str | None = None) -> tuple[str, list[Service]]:
    """Return a period (the latest by default) and its stored services."""
    if when is not None:
        when = period_param(when)
    else:
        when = ctx.session.scalar(select(func.max(RemittancePrice.period)))
        if when is None:
            raise NotFound("no firm-level remittance prices are loaded")
    rows = ctx.session.scalars(select(RemittancePrice).where(RemittancePrice.period == when))
    services = [
        Service(
            period=r.period,
            source=r.source_code,
            destination=r.dest_code,
            firm=r.firm,
            total_cost=r.cc1_total_cost,
            total_cost_500=r.cc2_total_cost,
            firm_type=r.firm_type,
            product=r.product,
            speed_days=r.speed_days,
            transparent=r.transparent,
            accessible=r.accessible,
        )
        for r in rows
    ]
    if not services:
        raise NotFound(f"no firm-level remittance prices for period {when}")
    return when, services


def remittance_flows(ctx: Context) -> dict[tuple[str, str], float]:
    """Return the stored bilateral remittance flows by (sending, receiving), US$ million."""
    query = (
        select(Observation.counterpart, Observation.area, Observation.value)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code == "WB.REMIT.BILATERAL")
    )
    return {(s, r): v for s, r, v in ctx.session.execute(query)}


def rpw_summary(
    ctx: Context,
    when: str | None = None,
    weights: Mapping[tuple[str, str], float] | None = None,
) -> RpwSummary:
    """Return a period's corridor averages, global averages, SmaRT and cheapest providers."""
    when, services = rpw_services(ctx, when)
    return summarise(when, services, remittance_flows(ctx) if weights is None else weights)


def summarise(
    when: str, services: Sequence[Service], weights: Mapping[tuple[str, str], float]
) -> RpwSummary:
    """Compute the RPW figures of one period's services."""
    averages = corridor_averages(services)
    weighted, used, unweighted = weighted_average(averages, weights)
    smart_values = smart(services)
    best = cheapest(services)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for service in services:
        counts[service.corridor] += 1
    corridors = [
        CorridorFigure(
            sending=c[0],
            receiving=c[1],
            services=counts[c],
            average=averages[c],
            cheapest_firm=best[c].firm,
            cheapest_cost=best[c].total_cost,
            smart=SmartFigure(value=smart_values[c][0], eligible=smart_values[c][1]),
        )
        for c in sorted(averages)
    ]
    return RpwSummary(
        period=when,
        services=len(services),
        global_average=global_average(services),
        global_weighted_average=weighted,
        corridors_weighted=used,
        corridors_without_flow=unweighted,
        corridors=corridors,
    )
