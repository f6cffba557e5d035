"""The context every action receives: a database session and the acting person."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person with roles and countries, the public, or the system.

    The command line acts as the system. `scopes` is None for a person signed in with a
    password, or the scopes of the API token used (`read`, `write`).
    """

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    countries: frozenset[str] = field(default_factory=frozenset)
    organization: str | None = None
    scopes: frozenset[str] | None = None

    @property
    def is_system(self) -> bool:
        """Whether this is the command line, which may do anything."""
        return "system" in self.roles

    @property
    def signed_in(self) -> bool:
        """Whether a person (not the public) is acting."""
        return self.user_id is not None

    def has(self, *roles: str) -> bool:
        """Whether the actor holds any of these roles (the admin holds them all)."""
        return self.is_system or "admin" in self.roles or bool(self.roles & set(roles))


SYSTEM = Actor("system", frozenset({"system"}))
PUBLIC = Actor("public")


@dataclass
class Context:
    """What an action needs besides its input."""

    session: Session
    actor: Actor = SYSTEM
    # Emails to send once the transaction has committed (gcmhub.mail), never before.
    outbox: list[EmailMessage] = field(default_factory=list)
