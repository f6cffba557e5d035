"""What the accounts part returns: people as listed, tokens as shown once, personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class UserPublic(BaseModel):
    """An account as its owner and admins see it (never the password hash)."""

    id: int
    username: str
    display_name: str | None
    email: str | None
    organization: str | None
    roles: list[str]
    countries: list[str]
    active: bool
    created_at: datetime


class TokenPublic(BaseModel):
    """An API token as listed: its prefix, never its secret."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    """A new token with its secret, shown this once."""

    token: str


class TokenRequest(BaseModel):
    """What a new token may do and for how long."""

    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(default_factory=lambda: ["read"])
    days: int = Field(default=90, ge=1, le=365)


class PersonalData(BaseModel):
    """Everything GCM Hub holds about a person: the account, tokens, and what they did."""

    account: UserPublic
    tokens: list[TokenPublic]
    audit: list[dict[str, Any]]
