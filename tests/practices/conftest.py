"""People for the practice tests: the accounts of every role, and reviewers with organizations."""

from __future__ import annotations

import pytest

from gcmhub.accounts import actions
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.runtime import open_context
from tests.accounts.conftest import PASSWORD, Person, fresh_limits, people, web  # noqa: F401

# Reviewers and a submitter with their organizations (a reviewer of the submitter's own
# organization has a conflict of interest).
PANEL = {
    "submitter": (["partner"], "Casa del Migrante"),
    "un-reviewer": (["partner"], "UNHCR"),
    "ext-one": (["partner"], "University of Guadalajara"),
    "ext-two": (["partner"], "Migrant Rights Network"),
    "ext-three": (["partner"], "City of Medellín"),
    "colleague": (["partner"], "Casa del Migrante"),
}


@pytest.fixture
def panel(people: dict[str, Person]) -> dict[str, Person]:  # noqa: F811
    """Add the submitter and the reviewers above, each with a read-write token."""
    made = {}
    with open_context() as ctx:
        for name, (roles, organization) in PANEL.items():
            actions.user_add(ctx, name, roles, organization=organization, password=PASSWORD)
            token = actions.token_create(
                ctx, name, TokenRequest(name="tests", scopes=["read", "write"])
            )
            made[name] = Person(name, token.token)
    return {**people, **made}
