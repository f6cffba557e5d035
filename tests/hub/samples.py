"""Sample calls of the hub's write routes, for the route-table test."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from gcmhub.runtime import open_context
from tests.accounts.conftest import Person
from tests.accounts.samples import Sample, api_call, form_call

SECRETARIAT = {"curator", "admin"}
MEXICO_SIDE = {"focal_mex", "curator", "admin"}
REQUEST = {
    "country": "MEX",
    "institution": "Ministry of Labour",
    "need": "Advice on ending recruitment fees charged to workers.",
    "support_types": ["policy_advice"],
    "objectives": ["6"],
    "confidentiality": "public",
}
PROVIDER = {
    "kind": "organization",
    "name": "Recruitment reform network",
    "description": "Advises on fair recruitment and fee bans for migrant workers.",
    "objectives": ["6"],
    "support_types": ["policy_advice"],
    "consent": True,
}
HUB_SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/api/v1/hub/requests"): Sample(
        MEXICO_SIDE, api_call("POST", "/api/v1/hub/requests", REQUEST)
    ),
    ("PATCH", "/api/v1/hub/requests/{ref}"): Sample(
        MEXICO_SIDE,
        api_call("PATCH", "/api/v1/hub/requests/{request}", {"title": "Fair recruitment"}),
    ),
    ("POST", "/api/v1/hub/requests/{ref}/steps"): Sample(
        SECRETARIAT,
        api_call("POST", "/api/v1/hub/requests/{fresh}/steps", {"to": "triaged"}),
        prepare=lambda made: {"fresh": _fresh(made["provider"], [])},
    ),
    ("POST", "/api/v1/hub/requests/{ref}/assign"): Sample(
        SECRETARIAT,
        api_call("POST", "/api/v1/hub/requests/{request}/assign", {"assignee": "curator"}),
    ),
    ("POST", "/api/v1/hub/requests/{ref}/comments"): Sample(
        MEXICO_SIDE,
        api_call("POST", "/api/v1/hub/requests/{request}/comments", {"text": "A note."}),
    ),
    ("POST", "/api/v1/hub/requests/{ref}/attachments"): Sample(
        MEXICO_SIDE,
        lambda client, person, made: client.post(
            "/api/v1/hub/requests/{request}/attachments".format(**made),
            files={"file": ("terms.txt", f"Terms of reference {person and person.username}")},
            headers=person.headers if person else {},
        ),
    ),
    ("POST", "/api/v1/hub/requests/{ref}/engagements"): Sample(
        SECRETARIAT,
        api_call("POST", "/api/v1/hub/requests/{request}/engagements", {"provider": "{provider}"}),
    ),
    ("POST", "/api/v1/hub/requests/{ref}/plan"): Sample(
        SECRETARIAT,
        api_call("POST", "/api/v1/hub/requests/{fresh}/plan"),
        prepare=lambda made: {"fresh": _fresh(made["provider"], [])},
    ),
    ("POST", "/api/v1/hub/requests/{ref}/publish"): Sample(
        SECRETARIAT,
        api_call("POST", "/api/v1/hub/requests/{fresh}/publish"),
        prepare=lambda made: {
            "fresh": _fresh(made["provider"], ["triaged", "matched", "in_progress", "resolved"])
        },
    ),
    ("POST", "/api/v1/hub/requests/{ref}/fund"): Sample(
        MEXICO_SIDE,
        api_call("POST", "/api/v1/hub/requests/{fresh}/fund"),
        prepare=lambda made: {"fresh": _fresh(made["provider"], ["triaged", "matched"])},
    ),
    ("POST", "/api/v1/hub/providers"): Sample(
        {"partner", "focal_mex", "focal_fra", "curator", "admin"},
        api_call("POST", "/api/v1/hub/providers", PROVIDER),
    ),
    ("PATCH", "/api/v1/hub/providers/{ref}"): Sample(
        {"partner", "curator", "admin"},
        api_call("PATCH", "/api/v1/hub/providers/{provider}", {"capacity": 3}),
    ),
    ("POST", "/api/v1/hub/offers"): Sample(
        {"partner", "curator", "admin"},
        api_call(
            "POST",
            "/api/v1/hub/offers",
            {
                "provider": "{provider}",
                "title": "Fee-ban advice",
                "description": "Two weeks of advice.",
                "objectives": ["6"],
            },
        ),
    ),
    ("POST", "/api/v1/hub/offers/{ref}/withdraw"): Sample(
        {"partner", "curator", "admin"}, api_call("POST", "/api/v1/hub/offers/{offer}/withdraw")
    ),
    ("POST", "/api/v1/me/notices/read"): Sample(
        {"partner", "focal_mex", "focal_fra", "curator", "fund_manager", "admin"},
        api_call("POST", "/api/v1/me/notices/read"),
    ),
}


def _fresh(provider: str, states: list[str]) -> str:
    """File a request as the system and move it through `states`; return its id."""
    from gcmhub.hub.requests import request_create, request_engage, request_step
    from gcmhub.hub.schemas import EngageWrite, RequestWrite, StepRequest

    with open_context() as ctx:
        ref = request_create(ctx, RequestWrite(**REQUEST)).id
        for state in states:
            if state == "matched":
                request_engage(ctx, ref, EngageWrite(provider=provider, status="confirmed"))
            request_step(ctx, ref, StepRequest(to=state))
    return ref


def hub_setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """Make a request the samples act on, and a provider and an offer the partner owns."""
    partner = people["partner"].headers
    provider = web.post("/api/v1/hub/providers", json=PROVIDER, headers=partner).json()["id"]
    offer = web.post(
        "/api/v1/hub/offers",
        json={
            "provider": provider,
            "title": "Advice",
            "description": "Advice on fee bans.",
            "objectives": ["6"],
        },
        headers=partner,
    ).json()["id"]
    return {"provider": provider, "offer": offer, "request": _fresh(provider, [])}


# The hub's pages: forms posted with a signed-in session's CSRF token.
SIGNED_IN = {"partner", "focal_mex", "focal_fra", "curator", "fund_manager", "admin"}
REQUEST_FORM = {
    "country": "MEX",
    "institution": "Ministry of Labour",
    "need": "Advice on ending recruitment fees charged to workers.",
    "support_types": "policy_advice",
    "confidentiality": "public",
}


def _attach_form(client: TestClient, person: Person | None, made: dict[str, Any]) -> Any:
    return client.post(
        "/hub/requests/{request}/attachments".format(**made),
        data={"csrf": made.get("csrf", "")},
        files={"file": ("terms.txt", f"Terms of reference {person and person.username}")},
        follow_redirects=False,
    )


HUB_SAMPLES.update(
    {
        ("POST", "/hub/requests/new"): Sample(
            MEXICO_SIDE, form_call("/hub/requests/new", REQUEST_FORM), page=True
        ),
        ("POST", "/hub/requests/{ref}/objectives"): Sample(
            MEXICO_SIDE,
            form_call("/hub/requests/{request}/objectives", {"objectives": "6"}),
            page=True,
        ),
        ("POST", "/hub/requests/{ref}/steps"): Sample(
            SECRETARIAT,
            form_call("/hub/requests/{fresh}/steps", {"to": "triaged"}),
            page=True,
            prepare=lambda made: {"fresh": _fresh(made["provider"], [])},
        ),
        ("POST", "/hub/requests/{ref}/assign"): Sample(
            SECRETARIAT,
            form_call("/hub/requests/{request}/assign", {"assignee": "curator"}),
            page=True,
        ),
        ("POST", "/hub/requests/{ref}/comment"): Sample(
            MEXICO_SIDE, form_call("/hub/requests/{request}/comment", {"text": "hi"}), page=True
        ),
        ("POST", "/hub/requests/{ref}/attachments"): Sample(MEXICO_SIDE, _attach_form, page=True),
        ("POST", "/hub/requests/{ref}/engage"): Sample(
            SECRETARIAT,
            form_call("/hub/requests/{request}/engage", {"provider": "{provider}"}),
            page=True,
        ),
        ("POST", "/hub/requests/{ref}/plan"): Sample(
            SECRETARIAT,
            form_call("/hub/requests/{fresh}/plan", {}),
            page=True,
            prepare=lambda made: {"fresh": _fresh(made["provider"], [])},
        ),
        ("POST", "/hub/requests/{ref}/fund"): Sample(
            MEXICO_SIDE,
            form_call("/hub/requests/{fresh}/fund", {}),
            page=True,
            prepare=lambda made: {"fresh": _fresh(made["provider"], ["triaged", "matched"])},
        ),
        ("POST", "/hub/requests/{ref}/publish"): Sample(
            SECRETARIAT,
            form_call("/hub/requests/{fresh}/publish", {}),
            page=True,
            prepare=lambda made: {
                "fresh": _fresh(made["provider"], ["triaged", "matched", "in_progress", "resolved"])
            },
        ),
        ("POST", "/hub/providers/new"): Sample(
            {"partner", "focal_mex", "focal_fra", "curator", "admin"},
            form_call(
                "/hub/providers/new",
                {
                    "kind": "organization",
                    "name": "Recruitment reform network",
                    "description": "Advises on fair recruitment and fee bans for migrant workers.",
                    "objectives": "6",
                    "support_types": "policy_advice",
                    "consent": "yes",
                },
            ),
            page=True,
        ),
        ("POST", "/hub/providers/{ref}/consent"): Sample(
            {"partner", "curator", "admin"},
            form_call("/hub/providers/{provider}/consent", {"consent": "no"}),
            page=True,
        ),
        ("POST", "/hub/offers/new"): Sample(
            {"partner", "curator", "admin"},
            form_call(
                "/hub/offers/new",
                {
                    "provider": "{provider}",
                    "title": "Fee-ban advice",
                    "description": "Two weeks of advice.",
                    "objectives": "6",
                },
            ),
            page=True,
        ),
        ("POST", "/notices/read"): Sample(SIGNED_IN, form_call("/notices/read", {}), page=True),
    }
)
