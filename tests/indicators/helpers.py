"""Shared helpers of the indicators tests: row counts and shipped loads."""

from __future__ import annotations

from sqlalchemy import func, select

from gcmhub.indicators.loading import shipped_load
from gcmhub.indicators.models import (
    Dataset,
    Indicator,
    Observation,
    PolicyAnswer,
    RecruitmentCost,
    RemittancePrice,
)
from gcmhub.runtime import open_context

TABLES = (Dataset, Indicator, Observation, RemittancePrice, PolicyAnswer, RecruitmentCost)


def counts() -> dict[str, int]:
    """Return the row count of every indicators table."""
    with open_context() as ctx:
        return {
            t.__tablename__: ctx.session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES
        }


def load(*names: str) -> None:
    """Load shipped datasets in one transaction."""
    with open_context() as ctx:
        for name in names:
            shipped_load(ctx, name)
