"""Reading the series store: datasets and indicators listed, observations as the public sees
them (with unit, source and licence, small counts withheld by the disclosure control)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from gcmhub.context import Context
from gcmhub.errors import NotFound
from gcmhub.indicators import disclosure
from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import Dataset, Indicator, Observation, RecruitmentCost
from gcmhub.indicators.schemas import DatasetOut, ObservationOut, SourceRef
from gcmhub.indicators.shipped import SHIPPED

BATCH = 5000


def dataset_list(ctx: Context) -> list[DatasetOut]:
    """Return the shipped datasets (loaded or not) and every other loaded one."""
    stored = {d.name: d for d in ctx.session.scalars(select(Dataset).order_by(Dataset.id))}
    out = []
    for name, shipped in SHIPPED.items():
        info, row = shipped.info, stored.pop(name, None)
        out.append(
            DatasetOut(
                name=name,
                title=info.title,
                kind=info.kind,
                files=" + ".join(shipped.files),
                source=info.source,
                licence=info.licence,
                attribution=info.attribution,
                shipped=True,
                loaded=row is not None,
                rows=row.rows if row else None,
                loaded_at=row.loaded_at if row else None,
            )
        )
    for row in stored.values():
        out.append(
            DatasetOut(
                name=row.name,
                title=row.title,
                kind=row.kind,
                files=row.file,
                source=row.source,
                licence=row.licence,
                attribution=row.attribution,
                shipped=False,
                loaded=True,
                rows=row.rows,
                loaded_at=row.loaded_at,
            )
        )
    return out


def dataset_sources(ctx: Context, names: set[str]) -> list[SourceRef]:
    """Return the source and licence of stored datasets, by name."""
    rows = ctx.session.scalars(select(Dataset).where(Dataset.name.in_(names)).order_by(Dataset.id))
    return [
        SourceRef(dataset=d.name, title=d.title, source=d.attribution, licence=d.licence)
        for d in rows
    ]


@dataclass(frozen=True)
class SeriesFilter:
    """Which observations to read (None: any)."""

    indicator: str | None = None
    area: str | None = None
    counterpart: str | None = None
    dataset: str | None = None
    year_from: int | None = None
    year_to: int | None = None


def _query(wanted: SeriesFilter) -> Select[Observation, Indicator, Dataset]:
    query = (
        select(Observation, Indicator, Dataset)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .join(Dataset, Dataset.id == Observation.dataset_id)
    )
    if wanted.indicator:
        query = query.where(Indicator.code == wanted.indicator)
    if wanted.area:
        query = query.where(Observation.area == wanted.area)
    if wanted.counterpart:
        query = query.where(Observation.counterpart == wanted.counterpart)
    if wanted.dataset:
        query = query.where(Dataset.name == wanted.dataset)
    if wanted.year_from is not None:
        query = query.where(Observation.year >= wanted.year_from)
    if wanted.year_to is not None:
        query = query.where(Observation.year <= wanted.year_to)
    return query.order_by(Observation.id)


def observations_public(ctx: Context, wanted: SeriesFilter) -> Iterator[ObservationOut]:
    """Yield observations as the public sees them, small counts withheld."""
    if wanted.indicator and not ctx.session.scalar(
        select(func.count()).select_from(Indicator).where(Indicator.code == wanted.indicator)
    ):
        raise NotFound(f"no indicator '{wanted.indicator}'")
    limit = disclosure.threshold()
    names = gazetteer()
    result = ctx.session.execute(_query(wanted).execution_options(yield_per=BATCH))
    for obs, indicator, dataset in result:
        yield public(obs, indicator, dataset, names.name(obs.area), limit)


def public(
    obs: Observation, indicator: Indicator, dataset: Dataset, area_name: str, limit: int
) -> ObservationOut:
    """Return one observation for the public: withheld when it is a small disaggregated count."""
    value: float | None = obs.value
    flag, note = obs.flag, obs.note
    breakdown = disclosure.disaggregated(obs.sex, obs.age, obs.counterpart, obs.category)
    if disclosure.small_count(obs.value, indicator.is_count, breakdown, limit):
        value, flag, note = None, disclosure.SUPPRESSED, disclosure.note(limit)
    return ObservationOut(
        indicator=indicator.code,
        area=obs.area,
        area_name=area_name,
        sex=obs.sex,
        age=obs.age,
        counterpart=obs.counterpart,
        category=obs.category,
        period=obs.period,
        value=value,
        unit=indicator.unit,
        flag=flag,
        note=note,
        dataset=dataset.name,
        source=dataset.attribution,
        licence=dataset.licence,
    )


def recruitment_public(ctx: Context, area: str | None = None) -> list[dict[str, object]]:
    """Return SDG 10.7.1 results for the public, those from small samples withheld."""
    limit = disclosure.threshold()
    query = select(RecruitmentCost, Dataset).join(Dataset, Dataset.id == RecruitmentCost.dataset_id)
    if area:
        query = query.where(RecruitmentCost.area == area)
    out: list[dict[str, object]] = []
    for row, dataset in ctx.session.execute(query.order_by(RecruitmentCost.id)):
        hidden = disclosure.small_sample(row.sample_size, limit)
        out.append(
            {
                "area": row.area,
                "destination": row.counterpart,
                "year": row.year,
                "sex": row.sex,
                "survey": row.survey,
                "months": None if hidden else row.months,
                "unit": "months of first-month earnings",
                "sample_size": row.sample_size,
                "flag": disclosure.SUPPRESSED if hidden else None,
                "note": disclosure.note(limit) if hidden else row.note,
                "source": dataset.attribution,
                "licence": dataset.licence,
            }
        )
    return out
