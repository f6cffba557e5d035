"""What the indicators part gives out: datasets, observations, corridors, SDG figures and
country profiles. Every figure from stored data carries its source and licence."""

from __future__ import annotations

from pydantic import BaseModel, Field

from gcmhub.types import UtcDateTime


class DatasetOut(BaseModel):
    """A dataset: shipped or loaded from a file, with its terms and what is stored of it."""

    name: str
    title: str
    kind: str
    files: str
    source: str
    licence: str
    attribution: str
    shipped: bool
    loaded: bool
    rows: int | None = None
    loaded_at: UtcDateTime | None = None


class SourceRef(BaseModel):
    """Where figures come from and under which licence."""

    dataset: str
    title: str
    source: str
    licence: str


class ObservationOut(BaseModel):
    """One value of a series as the public sees it (suppressed small counts have no value)."""

    indicator: str
    area: str
    area_name: str
    sex: str
    age: str
    counterpart: str
    category: str
    period: str
    value: float | None
    unit: str
    flag: str | None = None
    note: str | None = None
    dataset: str
    source: str
    licence: str


class SmartFigure(BaseModel):
    """SmaRT of a corridor: None when fewer than three services qualify."""

    value: float | None
    eligible: int


class CorridorFigure(BaseModel):
    """A corridor's firm-level figures in one period (% of USD 200)."""

    sending: str
    receiving: str
    services: int
    average: float
    cheapest_firm: str
    cheapest_cost: float
    smart: SmartFigure


class RpwSummary(BaseModel):
    """The RPW figures of one period."""

    period: str
    services: int
    global_average: float | None
    global_weighted_average: float | None
    corridors_weighted: int
    corridors_without_flow: int
    corridors: list[CorridorFigure]


class CostPoint(BaseModel):
    """A corridor cost in one period, against the SDG targets."""

    period: str
    value: float
    above_3: bool
    above_5: bool


class CorridorSeries(BaseModel):
    """The cost of sending USD 200 in one corridor over time."""

    sending: str
    sending_name: str
    receiving: str
    receiving_name: str
    unit: str = "% of amount sent (USD 200)"
    targets: list[float] = Field(default_factory=lambda: [3.0, 5.0])
    points: list[CostPoint]
    sources: list[SourceRef]


class CorridorCost(BaseModel):
    """A corridor's average cost in a period."""

    sending: str
    sending_name: str
    receiving: str
    receiving_name: str
    period: str
    value: float


class GroupAverage(BaseModel):
    """A simple average of corridor costs over a group (a region, an income group)."""

    group: str
    corridors: int
    average: float


class Sdg10c1(BaseModel):
    """SDG 10.c.1 computed from corridor averages for one year (method in costs.py)."""

    year: int
    corridors: int
    simple_average: float
    weighted_average: float | None
    corridors_weighted: int
    weights: str
    sources: list[SourceRef]


class DomainResult(BaseModel):
    """One SDG 10.7.2 policy domain: % of its five sub-categories met and its category."""

    domain: int
    name: str
    percentage: float
    category: int
    label: str


class PolicyResult(BaseModel):
    """SDG 10.7.2 computed from a country's 30 answers (self-reported policy)."""

    area: str
    year: int
    domains: list[DomainResult]
    overall_percentage: float
    overall_category: int
    overall_label: str
    nature: str = "self-reported policy"


class StockPoint(BaseModel):
    """International migrant stock of a country in a year."""

    year: int
    total: float | None = None
    male: float | None = None
    female: float | None = None
    share_of_population: float | None = None
    female_share: float | None = None
    refugees: float | None = None


class Partner(BaseModel):
    """A country of origin or destination with its migrant stock."""

    code: str
    name: str
    value: float | None
    flag: str | None = None


class RemittancePoint(BaseModel):
    """Remittances of a country in a year (WDI)."""

    year: int
    received_usd: float | None = None
    paid_usd: float | None = None
    received_pct_gdp: float | None = None


class CostYear(BaseModel):
    """The average cost of sending USD 200 to and from a country in a year (WDI, SDG 10.c.1)."""

    year: int
    to_country: float | None = None
    from_country: float | None = None


class PolicyStatus(BaseModel):
    """SDG 10.7.2 as published for a country: category 1-4 overall and by domain."""

    year: int
    period: str
    category: int | None
    label: str | None
    domains: dict[str, int] = Field(default_factory=dict)
    dataset: str
    nature: str = "self-reported policy"


class CountryProfile(BaseModel):
    """A country's numbers: migrants, partners, remittances, costs and SDG 10.7.2."""

    code: str
    name: str
    m49: int | None
    un_region: str | None
    un_subregion: str | None
    wb_region: str | None
    wb_income_group: str | None
    stock: list[StockPoint]
    origins_year: int | None
    top_origins: list[Partner]
    destinations_year: int | None
    top_destinations: list[Partner]
    remittances: list[RemittancePoint]
    costs: list[CostYear]
    cheapest_corridors_to: list[CorridorCost]
    cheapest_corridors_from: list[CorridorCost]
    sdg_10_7_2: list[PolicyStatus]
    region_comparison: dict[str, list[RemittancePoint]] = Field(default_factory=dict)
    sources: list[SourceRef]


class AreaRef(BaseModel):
    """An area by code and name."""

    code: str
    name: str


class AreaProfile(BaseModel):
    """An aggregate's numbers (a World Bank region or income group, a UN DESA region):
    migrant stock and remittances over time, where its sources publish them."""

    code: str
    name: str
    grouping: str | None
    stock: list[StockPoint]
    remittances: list[RemittancePoint]
    members: list[AreaRef] = Field(default_factory=list)
    sources: list[SourceRef]


# -- The open API's answers (gcmhub/indicators/api.py) -------------------------------------


class IndicatorOut(BaseModel):
    """An indicator's definition, with the source and licence of its data."""

    code: str
    name: str
    unit: str
    description: str | None
    is_count: bool
    source: str
    licence: str
    observations: int


class SeriesPage(BaseModel):
    """A page of observations: the rows, how many pass the filters, the next page's cursor,
    and the source and licence of the datasets on the page."""

    data: list[ObservationOut]
    count: int
    next: str | None
    sources: list[SourceRef] = Field(default_factory=list)


class CorridorRow(BaseModel):
    """A corridor's average cost of sending USD 200 in one period, against the targets."""

    sending: str
    sending_name: str
    receiving: str
    receiving_name: str
    period: str
    value: float | None
    unit: str
    above_3: bool | None
    above_5: bool | None
    dataset: str
    source: str
    licence: str


class CorridorPage(BaseModel):
    """A page of corridor costs."""

    data: list[CorridorRow]
    count: int
    next: str | None
    targets: list[float] = Field(default_factory=lambda: [3.0, 5.0])
    sources: list[SourceRef] = Field(default_factory=list)


class RemittanceCosts(BaseModel):
    """SDG 10.c.1 by year (simple and flow-weighted), the method, and a period's cheapest and
    dearest corridors and regional averages."""

    method: str
    unit: str = "% of amount sent (USD 200)"
    target: float
    ceiling: float
    sdg_10_c_1: list[Sdg10c1]
    period: str
    cheapest: list[CorridorCost]
    dearest: list[CorridorCost]
    regional_by: str
    regional_side: str
    regional_averages: list[GroupAverage]
    sources: list[SourceRef]


class PricesOut(RpwSummary):
    """The firm-level RPW figures of one period, with the method and where they come from."""

    method: str
    sources: list[SourceRef]


class PolicyRow(BaseModel):
    """SDG 10.7.2 as published for a country and period: the overall category and the domains'
    (D1-D6) categories. Self-reported by governments."""

    area: str
    area_name: str
    year: int
    period: str
    category: int | None
    label: str | None
    domains: dict[str, int] = Field(default_factory=dict)
    nature: str = "self-reported policy"
    dataset: str
    source: str
    licence: str


class PolicyComputed(PolicyResult):
    """SDG 10.7.2 computed from a country's 30 stored answers (`answers`: "domain.sub")."""

    answers: dict[str, float]
    dataset: str
    source: str
    licence: str


class PolicyOverview(BaseModel):
    """SDG 10.7.2: published categories per country, and results computed from answers."""

    data: list[PolicyRow]
    count: int
    computed: list[PolicyComputed]
    categories: dict[str, str]
    domains: dict[str, str]
    nature: str = "self-reported policy"
    sources: list[SourceRef]
