"""Sample calls of the community's messages write routes, for the route-table test.

`setting` adds an account outside the roles ("org-owner") with an approved organization, so
every role may write to it. A reply or a report is made by a message's recipient only: each
role gets, before its call (`prepare`), a fresh reply from the organization to a message it
wrote, so each acts on a message it received (to anyone else a message does not exist: 404,
tested in test_messages.py). Every prepare empties the messages window first: the matrix
sends more messages a minute than a person may.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gcmhub.accounts import actions
from gcmhub.accounts.models import User
from gcmhub.context import Actor
from gcmhub.runtime import open_context
from gcmhub.web.limits import MESSAGES
from tests.accounts.conftest import ROLES, Person
from tests.accounts.samples import Sample, api_call, form_call

EVERYONE = set(ROLES)
OWNER = "org-owner"
ORGANIZATION = {
    "name": "Filipino workers' association of Milan",
    "kind": "diaspora",
    "origin_countries": ["PHL"],
    "residence_countries": ["ITA"],
    "city": "Milan",
    "objectives": ["6"],
    "offers": "Advice on recruitment fees and contracts.",
}
MESSAGE = {"subject": "Recruitment fees", "body": "Could we exchange on fee-free recruitment?"}


def actor(username: str) -> Actor:
    """The actor an account acts as."""
    with open_context() as ctx:
        user = ctx.session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return actions.actor_of(user)


def approved_organization(username: str, **extra: Any) -> int:
    """An organization registered by an account and approved by the system."""
    from gcmhub.community.organizations import organization_register, organization_review
    from gcmhub.community.schemas import OrganizationReview, OrganizationWrite

    with open_context(actor(username)) as ctx:
        made = organization_register(ctx, OrganizationWrite(**{**ORGANIZATION, **extra}))
    with open_context() as ctx:
        organization_review(ctx, made.id, OrganizationReview(decision="approved"))
    return made.id


def received(username: str, organization: int) -> int:
    """A message `username` received: the organization's reply to one they wrote."""
    from gcmhub.community.message_schemas import MessageWrite, ReplyWrite
    from gcmhub.community.messages import message_reply, message_send

    with open_context(actor(username)) as ctx:
        sent = message_send(ctx, organization, MessageWrite(**MESSAGE))
    with open_context(actor(OWNER)) as ctx:
        return message_reply(ctx, sent.id, ReplyWrite(body="Gladly: when are you free?")).id


def _fresh_window(made: dict[str, Any]) -> dict[str, Any]:
    MESSAGES.clear()
    return {}


def _received(made: dict[str, Any]) -> dict[str, Any]:
    """A message the acting role received (the public: one it may not touch)."""
    MESSAGES.clear()
    if made["username"] == "nobody":
        return {"received": made["message"]}
    found = received(made["username"], made["messaged_org"])
    MESSAGES.clear()
    return {"received": found}


SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/api/v1/community/organizations/{organization_id}/messages"): Sample(
        EVERYONE,
        api_call("POST", "/api/v1/community/organizations/{messaged_org}/messages", MESSAGE),
        prepare=_fresh_window,
    ),
    ("POST", "/api/v1/community/messages/{message_id}/reply"): Sample(
        EVERYONE,
        api_call("POST", "/api/v1/community/messages/{received}/reply", {"body": "Thank you."}),
        prepare=_received,
    ),
    ("POST", "/api/v1/community/messages/{message_id}/report"): Sample(
        EVERYONE,
        api_call("POST", "/api/v1/community/messages/{received}/report", {"reason": "Insults me"}),
        prepare=_received,
    ),
    ("POST", "/community/organizations/{organization_id}/messages"): Sample(
        EVERYONE,
        form_call("/community/organizations/{messaged_org}/messages", MESSAGE),
        page=True,
        prepare=_fresh_window,
    ),
    ("POST", "/community/messages/{message_id}/reply"): Sample(
        EVERYONE,
        form_call("/community/messages/{received}/reply", {"body": "Thank you."}),
        page=True,
        prepare=_received,
    ),
    ("POST", "/community/messages/{message_id}/report"): Sample(
        EVERYONE,
        form_call("/community/messages/{received}/report", {"reason": "Insults me"}),
        page=True,
        prepare=_received,
    ),
}


def setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """An approved organization registered by an account outside the roles, and a message
    to it from the partner."""
    with open_context() as ctx:
        actions.user_add(ctx, OWNER, ["partner"], password="x" * 12)
    organization = approved_organization(OWNER)
    message = received(people["partner"].username, organization)
    MESSAGES.clear()
    return {"messaged_org": organization, "message": message}
