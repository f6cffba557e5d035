"""Disclosure control: small counts in disaggregated series are not shown to the public.

A value is suppressed in public outputs (views, API, exports) when it counts people
(`Indicator.is_count`), sits in a disaggregated row (by sex, age, counterpart country or another
category) and is above 0 but below `GCMHUB_DISCLOSURE_THRESHOLD`; an SDG 10.7.1 result is
suppressed when its survey sample is below the threshold. The value is withheld (None) and the
row flagged `C` (confidential, the SDMX code) with a note; totals and zeros are shown. A
threshold of 0 turns the control off. Stored data are never changed: the control applies on the
way out. Complementary suppression (a total minus the shown cells giving a hidden one away) is
not attempted: the shipped sources publish these cells openly already.
"""

from __future__ import annotations

from gcmhub.indicators.models import TOTAL
from gcmhub.settings import get_settings

SUPPRESSED = "C"


def threshold() -> int:
    """Return the disclosure threshold in force."""
    return get_settings().disclosure_threshold


def disaggregated(sex: str, age: str, counterpart: str, category: str) -> bool:
    """Whether a row is a breakdown rather than a total."""
    return any(part != TOTAL for part in (sex, age, counterpart, category))


def small_count(value: float, is_count: bool, breakdown: bool, limit: int) -> bool:
    """Whether a value must be withheld from the public."""
    return is_count and breakdown and 0 < value < limit


def small_sample(sample_size: int | None, limit: int) -> bool:
    """Whether a survey result rests on too few respondents to be shown."""
    return sample_size is not None and sample_size < limit


def note(limit: int) -> str:
    """Return the note a suppressed value carries."""
    return f"suppressed: fewer than {limit} (disclosure control)"
