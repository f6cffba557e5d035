"""What the accounts part returns: people as listed, tokens as shown once, personal data."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gcmhub.types import UtcDateTime


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
    created_at: UtcDateTime


class TokenPublic(BaseModel):
    """An API token as listed: its prefix, never its secret."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcDateTime
    expires_at: UtcDateTime
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None


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
    notices: list[dict[str, Any]] = []
    expert_profiles: list[dict[str, Any]] = []
    community: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="Messages sent and received, follows, organizations registered and "
        "contributions to consultations.",
    )


class NoticePublic(BaseModel):
    """A notice for the person reading it."""

    id: int
    at: UtcDateTime
    subject: str
    body: str
    link: str | None
    read_at: UtcDateTime | None
