"""The context every action receives: a database session and the acting person."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Actor:
    """Who is acting; the command line acts as the system."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)


SYSTEM = Actor("system", frozenset({"system"}))
PUBLIC = Actor("public")


@dataclass
class Context:
    """What an action needs besides its input."""

    session: Session
    actor: Actor = SYSTEM
