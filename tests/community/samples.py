"""Sample calls of the community's write routes, for the route-table test.

`community_setting` opens a consultation moderated by Mexico's focal point, with a
contribution by the partner, and registers an organization (pending). A review of an
organization gets a fresh pending one per call (`prepare`): a decision is taken once.
The partner's approved organization (`profile`) is edited by the partner and curators; a
withdrawal of consent gets a fresh one naming a contact per call, as a name goes once.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from gcmhub.runtime import open_context
from tests.accounts.conftest import ROLES, Person
from tests.accounts.samples import Sample, api_call, form_call

EVERYONE = set(ROLES)
CURATORS = {"curator", "admin"}
ORGANIZATION = {
    "name": "Senegalese diaspora association of Lyon",
    "kind": "diaspora",
    "origin_countries": ["SEN"],
    "residence_countries": ["France"],
    "city": "Lyon",
    "objectives": ["19"],
    "languages": ["fr", "wo"],
    "offers": "Mentoring for new arrivals.",
    "seeks": "Partners for remittance literacy workshops.",
}
CONSULTATION = {
    "title": "Diaspora investment at home",
    "questions": ["What stops diaspora investment?", "What would help?"],
    "audience": "Diaspora associations and local authorities",
    "languages": ["en", "fr", "es"],
    "opens_on": "2000-01-01",
    "closes_on": "2099-12-31",
}
CONTRIBUTION = {
    "question": 1,
    "text": "Remittance fees are too high and diaspora bonds are hard to buy from abroad.",
}


def _pending(made: dict[str, Any]) -> dict[str, Any]:
    """A fresh organization waiting for review."""
    from gcmhub.community.organizations import organization_register
    from gcmhub.community.schemas import OrganizationWrite

    with open_context() as ctx:
        found = organization_register(ctx, OrganizationWrite(**ORGANIZATION))
    return {"pending": found.id}


def _named(made: dict[str, Any]) -> dict[str, Any]:
    """A fresh approved organization of the partner's, naming a contact with consent."""
    from tests.community.samples_messages import approved_organization

    found = approved_organization("partner", contact_name="Awa Diop", contact_consent=True)
    return {"named": found}


PROFILE_EDITORS = {"partner", *CURATORS}  # who registered it, and curators
COMMUNITY_SAMPLES: dict[tuple[str, str], Sample] = {
    ("PATCH", "/api/v1/community/organizations/{organization_id}"): Sample(
        PROFILE_EDITORS,
        api_call("PATCH", "/api/v1/community/organizations/{profile}", {"offers": "{username}"}),
    ),
    ("POST", "/api/v1/community/organizations/{organization_id}/consent/withdraw"): Sample(
        PROFILE_EDITORS,
        api_call("POST", "/api/v1/community/organizations/{named}/consent/withdraw"),
        prepare=_named,
    ),
    ("POST", "/community/organizations/{organization_id}/edit"): Sample(
        PROFILE_EDITORS,
        form_call(
            "/community/organizations/{profile}/edit",
            {"name": "Diaspora of Lyon", "kind": "diaspora", "offers": "{username}"},
        ),
        page=True,
    ),
    ("POST", "/community/organizations/{organization_id}/consent/withdraw"): Sample(
        PROFILE_EDITORS,
        form_call("/community/organizations/{named}/consent/withdraw", {}),
        page=True,
        prepare=_named,
    ),
    ("POST", "/api/v1/community/organizations"): Sample(
        EVERYONE, api_call("POST", "/api/v1/community/organizations", ORGANIZATION)
    ),
    ("POST", "/api/v1/community/organizations/{organization_id}/review"): Sample(
        CURATORS,
        api_call(
            "POST", "/api/v1/community/organizations/{pending}/review", {"decision": "approved"}
        ),
        prepare=_pending,
    ),
    ("POST", "/api/v1/community/consultations"): Sample(
        CURATORS, api_call("POST", "/api/v1/community/consultations", CONSULTATION)
    ),
    ("POST", "/api/v1/community/consultations/{consultation_id}/contributions"): Sample(
        EVERYONE,
        api_call(
            "POST", "/api/v1/community/consultations/{consultation}/contributions", CONTRIBUTION
        ),
    ),
    ("POST", "/api/v1/community/contributions/{contribution_id}/moderation"): Sample(
        {"focal_mex", *CURATORS},  # the moderator, and curators
        api_call(
            "POST",
            "/api/v1/community/contributions/{contribution}/moderation",
            {"action": "flag", "reason": "Off topic, says {username}"},
        ),
    ),
    ("POST", "/api/v1/community/contributions/{contribution_id}/reports"): Sample(
        EVERYONE,
        api_call(
            "POST",
            "/api/v1/community/contributions/{contribution}/reports",
            {"reason": "Insulting language"},
        ),
    ),
    # The community's pages (gcmhub/community/views.py).
    ("POST", "/community/organizations/new"): Sample(
        EVERYONE,
        form_call(
            "/community/organizations/new",
            {"name": "Lyon diaspora forum", "kind": "diaspora", "residence_countries": "France"},
        ),
        page=True,
    ),
    ("POST", "/community/organizations/{organization_id}/review"): Sample(
        CURATORS,
        form_call("/community/organizations/{pending}/review", {"decision": "approved"}),
        page=True,
        prepare=_pending,
    ),
    ("POST", "/community/consultations/new"): Sample(
        CURATORS,
        form_call(
            "/community/consultations/new",
            {
                "title": "Remittance costs",
                "questions": "What do transfers cost?\nWhat would help?",
                "opens_on": "2000-01-01",
                "closes_on": "2099-12-31",
            },
        ),
        page=True,
    ),
    ("POST", "/community/consultations/{consultation_id}/contributions"): Sample(
        EVERYONE,
        form_call(
            "/community/consultations/{consultation}/contributions",
            {"question": "2", "text": "Cheaper transfers through mobile money."},
        ),
        page=True,
    ),
    ("POST", "/community/contributions/{contribution_id}/moderation"): Sample(
        {"focal_mex", *CURATORS},  # the moderator, and curators
        form_call(
            "/community/contributions/{contribution}/moderation",
            {"action": "flag", "reason": "Off topic, says {username}"},
        ),
        page=True,
    ),
    ("POST", "/community/contributions/{contribution_id}/report"): Sample(
        EVERYONE,
        form_call(
            "/community/contributions/{contribution}/report", {"reason": "Insulting language"}
        ),
        page=True,
    ),
}


def community_setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """An open consultation moderated by focal_mex, a contribution by the partner, and an
    approved organization the partner registered."""
    opened = web.post(
        "/api/v1/community/consultations",
        json={**CONSULTATION, "moderator": people["focal_mex"].username},
        headers=people["curator"].headers,
    )
    assert opened.status_code == 201, opened.text
    consultation = opened.json()["id"]
    posted = web.post(
        f"/api/v1/community/consultations/{consultation}/contributions",
        json=CONTRIBUTION,
        headers=people["partner"].headers,
    )
    assert posted.status_code == 201, posted.text
    from tests.community.samples_messages import approved_organization

    return {
        "consultation": consultation,
        "contribution": posted.json()["id"],
        "profile": approved_organization(people["partner"].username),
    }
