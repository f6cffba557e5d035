"""Parse the dates found in document metadata."""

from __future__ import annotations

import re
from datetime import date, datetime

# ISO dates with optional time ("2018-12-19T10:00Z") and PDF dates ("D:20181219100000Z").
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_COMPACT = re.compile(r"^\s*(?:D:)?(\d{4})(\d{2})(\d{2})")


def parse_date(value: object) -> date | None:
    """Return the calendar date in a metadata value, or None if there is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    match = _ISO.match(value) or _COMPACT.match(value)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
