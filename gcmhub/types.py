"""Types shared by the parts' schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# Times are stored in UTC without a zone; on the way out they say so (RFC 3339 with +00:00).
UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


def no_nul(value: object) -> object:
    """Drop NUL characters, which no text column of PostgreSQL can hold."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [v.replace("\x00", "") if isinstance(v, str) else v for v in value]
    return value
