"""Sample calls of the community's events and pledges write routes, for the route-table test.

`setting` records an ongoing event by the partner, approves an organization the partner
registered and has the partner pledge in its name (progress: the partner and curators), and
has a curator pledge in Mexico's name (progress: Mexico's focal point and curators too).
A cancellation gets a fresh event of the partner's per call (`prepare`): it happens once.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.conftest import ROLES, Person
from tests.accounts.samples import Sample, api_call, form_call

EVERYONE = set(ROLES)
CURATORS = {"curator", "admin"}
OWNER = {"partner", *CURATORS}  # the partner recorded the event, or registered the organization
MEXICO = {"focal_mex", *CURATORS}
API = "/api/v1/community"
EVENT = {
    "title": "Regional dialogue on labour migration",
    "organizer": "Ministry of Labour",
    "scope": "regional",
    "countries": ["MEX", "Guatemala"],
    "regions": ["013"],
    "objectives": ["6"],
    "starts_on": "2000-01-10",
    "ends_on": "2099-12-31",
    "modality": "hybrid",
    "city": "Mexico City",
    "description": "Fair recruitment and decent work across the corridor.",
}
PLEDGE = {
    "title": "Lower remittance costs",
    "pledger_kind": "member_state",
    "country": "MEX",
    "description": "Halve the cost of sending remittances home by 2030.",
    "objectives": ["20"],
    "countries": ["MEX"],
    "due_on": "2030-12-31",
}
ORGANIZATION = {
    "name": "Remittance literacy network",
    "kind": "diaspora",
    "residence_countries": ["FRA"],
    "objectives": ["20"],
}
PROGRESS = {"progress": 40, "status": "in_progress", "note": "Two workshops held."}
EVENT_FORM = {
    "title": "Workshop on consular help",
    "organizer": "Consulate network",
    "scope": "national",
    "modality": "online",
    "starts_on": "2030-03-01",
    "ends_on": "2030-03-02",
    "countries": "MEX",
    "objectives": "objective:14",
}


def _fresh_event(made: dict[str, Any]) -> dict[str, Any]:
    """A new event recorded by the partner, to be cancelled once."""
    from gcmhub.accounts.actions import actor_of
    from gcmhub.accounts.models import User
    from gcmhub.community.event_schemas import EventWrite
    from gcmhub.community.events import event_create
    from gcmhub.runtime import open_context

    with open_context() as ctx:
        partner = ctx.session.scalar(select(User).where(User.username == "partner"))
        assert partner is not None
        actor = actor_of(partner)
    with open_context(actor) as ctx:
        found = event_create(ctx, EventWrite.model_validate(EVENT))
    return {"fresh_event": found.id}


SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", f"{API}/events"): Sample(EVERYONE, api_call("POST", f"{API}/events", EVENT)),
    ("PATCH", f"{API}/events/{{event_id}}"): Sample(
        OWNER, api_call("PATCH", f"{API}/events/{{events_event}}", {"title": "Renamed dialogue"})
    ),
    ("POST", f"{API}/events/{{event_id}}/outcomes"): Sample(
        OWNER,
        api_call(
            "POST", f"{API}/events/{{events_event}}/outcomes", {"outcomes": "A joint roadmap."}
        ),
    ),
    ("POST", f"{API}/events/{{event_id}}/cancel"): Sample(
        OWNER,
        api_call("POST", f"{API}/events/{{fresh_event}}/cancel", {"reason": "Venue closed"}),
        prepare=_fresh_event,
    ),
    ("POST", f"{API}/pledges"): Sample(MEXICO, api_call("POST", f"{API}/pledges", PLEDGE)),
    ("POST", f"{API}/pledges/{{pledge_id}}/updates"): Sample(
        OWNER, api_call("POST", f"{API}/pledges/{{org_pledge}}/updates", PROGRESS)
    ),
    ("POST", "/community/events/new"): Sample(
        EVERYONE, form_call("/community/events/new", EVENT_FORM), page=True
    ),
    ("POST", "/community/events/{event_id}/edit"): Sample(
        OWNER,
        form_call(
            "/community/events/{events_event}/edit",
            {**EVENT_FORM, "title": "Dialogue renamed by {username}"},
        ),
        page=True,
    ),
    ("POST", "/community/events/{event_id}/outcomes"): Sample(
        OWNER,
        form_call(
            "/community/events/{events_event}/outcomes", {"outcomes": "Roadmap by {username}"}
        ),
        page=True,
    ),
    ("POST", "/community/events/{event_id}/cancel"): Sample(
        OWNER,
        form_call("/community/events/{fresh_event}/cancel", {"reason": "Postponed"}),
        page=True,
        prepare=_fresh_event,
    ),
    ("POST", "/community/pledges/new"): Sample(
        MEXICO,
        form_call(
            "/community/pledges/new",
            {
                "title": "Consular registration drive",
                "pledger_kind": "member_state",
                "country": "MEX",
                "description": "Register every national abroad who asks.",
                "objectives": "objective:14",
                "due_on": "2031-06-30",
            },
        ),
        page=True,
    ),
    ("POST", "/community/pledges/{pledge_id}/updates"): Sample(
        MEXICO,
        form_call(
            "/community/pledges/{state_pledge}/updates",
            {"progress": "25", "status": "in_progress", "note": "By {username}"},
        ),
        page=True,
    ),
}


def setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """An event by the partner, a pledge by the partner's organization, one by Mexico."""
    event = web.post(f"{API}/events", json=EVENT, headers=people["partner"].headers)
    assert event.status_code == 201, event.text
    registered = web.post(
        f"{API}/organizations", json=ORGANIZATION, headers=people["partner"].headers
    )
    assert registered.status_code == 201, registered.text
    organization = registered.json()["id"]
    approved = web.post(
        f"{API}/organizations/{organization}/review",
        json={"decision": "approved"},
        headers=people["curator"].headers,
    )
    assert approved.status_code == 200, approved.text
    org_pledge = web.post(
        f"{API}/pledges",
        json={
            **PLEDGE,
            "pledger_kind": "diaspora",
            "country": None,
            "organization_id": organization,
        },
        headers=people["partner"].headers,
    )
    assert org_pledge.status_code == 201, org_pledge.text
    state_pledge = web.post(f"{API}/pledges", json=PLEDGE, headers=people["curator"].headers)
    assert state_pledge.status_code == 201, state_pledge.text
    return {
        "events_event": event.json()["id"],
        "org_pledge": org_pledge.json()["id"],
        "state_pledge": state_pledge.json()["id"],
    }
