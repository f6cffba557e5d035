"""The data shown on the Compact's objective pages ("Related data").

`OBJECTIVE_INDICATORS` maps an objective's number to the indicators shown on its page. It is
this project's editorial choice, not an official mapping: the Compact names no indicators, and
the SDG indicators chosen here are those of the targets the objectives echo (10.c on the cost
of remittances for objective 20, 10.7.1 on recruitment costs for objective 6, 10.7.2 on
well-managed migration policies for objective 23), with the series that serve objective 1
(data) and 19 (diaspora contributions). Change it here; the pages follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from gcmhub.context import Context
from gcmhub.errors import GcmhubError
from gcmhub.indicators import costs, listing
from gcmhub.indicators.models import Indicator, Observation, RecruitmentCost
from gcmhub.web.i18n import N_

WORLD_STOCK, WORLD_REMITTANCES = "UN-900", "WLD"
SDG_10_C_1, SDG_10_7_1 = "SDG-10.c.1", "SDG-10.7.1"
OBJECTIVE_INDICATORS: dict[int, tuple[str, ...]] = {
    1: ("UNDESA.IMS.STOCK", "UNDESA.IMS2019.BILATERAL", "BX.TRF.PWKR.CD.DT"),
    6: (SDG_10_7_1,),
    19: ("BX.TRF.PWKR.CD.DT",),
    20: (SDG_10_C_1, "BX.TRF.PWKR.CD.DT"),
    23: ("SG_CPA_MIGRS",),
}


@dataclass(frozen=True)
class RelatedFigure:
    """One related figure: what it is (a message to translate), its value written out, the
    year, and the page that tells more."""

    code: str
    label: str
    value: str
    year: int | None
    link: str


def _latest(ctx: Context, indicator: str, area: str) -> tuple[int, float] | None:
    """The latest total value of a series for an area, with its year."""
    row = ctx.session.execute(
        select(Observation.year, Observation.value)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(
            Indicator.code == indicator,
            Observation.area == area,
            Observation.sex == "_T",
            Observation.counterpart == "_T",
        )
        .order_by(Observation.year.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _stored(ctx: Context, indicator: str) -> bool:
    """Whether a series has any observation."""
    found = ctx.session.scalar(
        select(Observation.id)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code == indicator)
        .limit(1)
    )
    return found is not None


def related_data(ctx: Context, objective: str, lang: str) -> list[RelatedFigure]:
    """The figures of an objective's "Related data" block, written in the reader's language
    (none when the objective has no indicator or its data are not loaded)."""
    from gcmhub.indicators.views import Formats

    fmt = Formats(lang)
    codes = OBJECTIVE_INDICATORS.get(int(objective), ()) if objective.isdigit() else ()
    found: list[RelatedFigure] = []
    for code in codes:
        if code == "UNDESA.IMS.STOCK" and (stock := _latest(ctx, code, WORLD_STOCK)):
            found.append(
                RelatedFigure(
                    code,
                    N_("International migrants in the world"),
                    fmt.count(stock[1]),
                    stock[0],
                    f"/data/areas/{WORLD_STOCK}",
                )
            )
        elif code == "UNDESA.IMS2019.BILATERAL" and _stored(ctx, code):
            found.append(
                RelatedFigure(
                    code,
                    N_("Countries of origin and destination, in every country profile"),
                    "",
                    None,
                    "/data",
                )
            )
        elif code == "BX.TRF.PWKR.CD.DT" and (money := _latest(ctx, code, WORLD_REMITTANCES)):
            found.append(
                RelatedFigure(
                    code,
                    N_("Remittances received worldwide, USD million"),
                    fmt.millions(money[1]),
                    money[0],
                    f"/data/areas/{WORLD_REMITTANCES}",
                )
            )
        elif code == SDG_10_C_1:
            years = listing.corridor_years(ctx)
            if years:
                figure = costs.sdg_10c1(ctx, years[-1])
                found.append(
                    RelatedFigure(
                        code,
                        N_("SDG 10.c.1: average cost of sending USD 200 (simple average)"),
                        fmt.pct(figure.simple_average),
                        figure.year,
                        "/data/remittance-costs",
                    )
                )
                if figure.weighted_average is not None:
                    found.append(
                        RelatedFigure(
                            code,
                            N_("SDG 10.c.1: weighted by remittance flows"),
                            fmt.pct(figure.weighted_average),
                            figure.year,
                            "/data/remittance-costs",
                        )
                    )
        elif code == SDG_10_7_1:
            results = ctx.session.scalar(select(func.count()).select_from(RecruitmentCost)) or 0
            if results:
                found.append(
                    RelatedFigure(
                        code,
                        N_("SDG 10.7.1: survey results on recruitment costs loaded"),
                        fmt.count(results),
                        None,
                        "/api/v1/data/datasets",
                    )
                )
        elif code == "SG_CPA_MIGRS":
            try:
                overview = listing.policy_overview(ctx)
            except GcmhubError:
                continue
            countries = {r.area for r in overview.data if r.category is not None}
            if countries:
                found.append(
                    RelatedFigure(
                        code,
                        N_("SDG 10.7.2: countries with a reported policy category"),
                        fmt.count(len(countries)),
                        None,
                        "/data/sdg-10-7-2",
                    )
                )
    return found
