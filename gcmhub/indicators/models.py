"""Tables of the indicators part: areas, datasets, indicator definitions, the series store,
firm-level remittance prices (the RPW layout), SDG 10.7.2 answers and SDG 10.7.1 results.

Values are `Float` (IEEE double, 15-17 significant digits) rather than `Numeric`: every shipped
value is a decimal text of at most 17 significant digits written from a double (WDI, UN DESA)
or with far fewer (KNOMAD, RPW), so a double holds it to its last digit and gives the same text
back; they are statistical estimates, not amounts of money to be added to the cent (the fund
keeps Decimal for that), and SQLite has no exact NUMERIC anyway (it would store a double, with a
warning from SQLAlchemy). Sums and averages are computed in Python from these doubles.

Areas are keyed by a short code: ISO 3166-1 alpha-3 for countries (with the World Bank's XKX for
Kosovo and CHI for the Channel Islands), the World Bank's three-letter codes for its aggregates
(WLD, SSF, LMY…), `M49-NNN` for UN M49 regions that have no such code, and a few explicit
residuals (`WB-OTHER-NORTH`). The M49 number sits beside the code where one exists.

Disaggregations use SDMX-style codes: `_T` is the total; sex is `M`/`F`; `counterpart` is the
other country of a bilateral series (the origin of a migrant stock, the sending country of a
remittance flow received, the receiving country of a corridor cost); `category` holds any other
breakdown (the policy domain of SDG 10.7.2).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gcmhub.db import Base

TOTAL = "_T"


class Area(Base):
    """A country or an aggregate, with its UN M49 and World Bank classifications."""

    __tablename__ = "ind_areas"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    m49: Mapped[int | None] = mapped_column(Integer, index=True)
    iso2: Mapped[str | None] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))  # country | aggregate
    un_region: Mapped[str | None] = mapped_column(String(100))
    un_subregion: Mapped[str | None] = mapped_column(String(100))
    un_intermediate: Mapped[str | None] = mapped_column(String(100))
    wb_region: Mapped[str | None] = mapped_column(String(100))
    wb_income_group: Mapped[str | None] = mapped_column(String(60))


class Dataset(Base):
    """One loaded file: where it came from, under which licence, and what it added."""

    __tablename__ = "ind_datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # series | areas | rpw | sdg1072 | sdg1071
    title: Mapped[str] = mapped_column(String(300))
    file: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))
    attribution: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class Indicator(Base):
    """An indicator's definition: code, name, unit, source and licence.

    `is_count` marks counts of people, the values disclosure control looks at.
    """

    __tablename__ = "ind_indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    is_count: Mapped[bool] = mapped_column(Boolean, default=False)


class Observation(Base):
    """One value of a series: indicator, area, disaggregation, period.

    Unit comes with the indicator, source and licence with the dataset (both shown with every
    value in public outputs); `flag` is an SDMX-like observation status (`E` estimate).
    """

    __tablename__ = "ind_observations"
    __table_args__ = (
        Index("ix_ind_observations_series", "indicator_id", "area", "year"),
        Index("ix_ind_observations_counterpart", "indicator_id", "counterpart", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("ind_datasets.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("ind_indicators.id", ondelete="RESTRICT"))
    area: Mapped[str] = mapped_column(String(16))
    m49: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(4), default=TOTAL)
    age: Mapped[str] = mapped_column(String(16), default=TOTAL)
    counterpart: Mapped[str] = mapped_column(String(16), default=TOTAL)
    category: Mapped[str] = mapped_column(String(40), default=TOTAL)
    period: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)


class RemittancePrice(Base):
    """One remittance service priced in one period, in the World Bank RPW layout.

    Amounts and fees are in the sending country's currency (`lcu`); margins and totals are
    percentages. `cc1` is the USD 200 price point, `cc2` USD 500.
    """

    __tablename__ = "ind_rpw_prices"
    __table_args__ = (Index("ix_ind_rpw_prices_corridor", "period", "source_code", "dest_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("ind_datasets.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(16))
    source_code: Mapped[str] = mapped_column(String(16))
    dest_code: Mapped[str] = mapped_column(String(16))
    firm: Mapped[str] = mapped_column(String(200))
    firm_type: Mapped[str | None] = mapped_column(String(60))
    product: Mapped[str | None] = mapped_column(String(200))
    speed: Mapped[str | None] = mapped_column(String(60))
    speed_days: Mapped[int | None] = mapped_column(Integer)
    transparent: Mapped[bool | None] = mapped_column(Boolean)
    accessible: Mapped[bool | None] = mapped_column(Boolean)
    cc1_amount: Mapped[float] = mapped_column(Float)
    cc1_fee: Mapped[float] = mapped_column(Float)
    cc1_fx_margin: Mapped[float] = mapped_column(Float)
    cc1_total_cost: Mapped[float] = mapped_column(Float)
    cc2_amount: Mapped[float | None] = mapped_column(Float)
    cc2_fee: Mapped[float | None] = mapped_column(Float)
    cc2_fx_margin: Mapped[float | None] = mapped_column(Float)
    cc2_total_cost: Mapped[float | None] = mapped_column(Float)


class PolicyAnswer(Base):
    """One of the 30 SDG 10.7.2 sub-category answers (six domains of five) of a country.

    Self-reported by governments (UN Inquiry / IOM); `score` is 1 for yes, 0 for no, and a
    fraction where the questionnaire allows a partial answer.
    """

    __tablename__ = "ind_sdg1072_answers"
    __table_args__ = (
        UniqueConstraint("area", "year", "domain", "subcategory", name="uq_ind_sdg1072_answers"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("ind_datasets.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    domain: Mapped[int] = mapped_column(Integer)
    subcategory: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class RecruitmentCost(Base):
    """An SDG 10.7.1 result: recruitment cost in months of first-month earnings, by survey."""

    __tablename__ = "ind_sdg1071_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("ind_datasets.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(String(16), index=True)  # country of origin
    counterpart: Mapped[str] = mapped_column(String(16), default=TOTAL)  # destination
    year: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(4), default=TOTAL)
    survey: Mapped[str] = mapped_column(String(300))
    months: Mapped[float] = mapped_column(Float)
    sample_size: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
