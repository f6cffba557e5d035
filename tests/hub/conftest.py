"""Providers and requests for the hub's tests, made through the real actions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gcmhub.hub.providers import offer_create, provider_create
from gcmhub.hub.schemas import OfferWrite, ProviderWrite
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, fresh_limits, people, web  # noqa: F401

PROVIDERS: list[dict[str, Any]] = [
    {
        "ref": "p-stats",
        "kind": "organization",
        "name": "Migration statistics unit of a regional UN commission",
        "organization_type": "un_entity",
        "un_system": True,
        "description": "Helps national statistics offices add migration questions to censuses "
        "and labour force surveys and publish data disaggregated by sex, age and status.",
        "objectives": ["1"],
        "support_types": ["data_statistics", "training"],
        "regions": ["419"],
        "languages": ["es", "en"],
        "modalities": ["remote", "on_site"],
        "capacity": 3,
    },
    {
        "ref": "p-recruit",
        "kind": "organization",
        "name": "Fair recruitment programme of a UN labour agency",
        "organization_type": "un_entity",
        "un_system": True,
        "description": "Advises labour ministries on banning recruitment fees charged to "
        "workers, licensing and inspecting recruitment agencies, and model contracts.",
        "objectives": ["6"],
        "support_types": ["policy_advice", "technical_assistance"],
        "countries": ["MEX", "GTM"],
        "languages": ["es", "en", "fr"],
        "modalities": ["remote"],
        "capacity": 2,
    },
    {
        "ref": "p-remit",
        "kind": "organization",
        "name": "Diaspora finance network",
        "organization_type": "diaspora",
        "description": "Compares money transfer prices, trains diaspora associations in "
        "financial literacy and works with central banks on cheaper remittance channels.",
        "objectives": ["20", "19"],
        "support_types": ["training", "peer_exchange"],
        "regions": ["001"],
        "languages": ["en", "fr"],
        "modalities": ["remote"],
        "capacity": 4,
    },
    {
        "ref": "p-expert",
        "kind": "expert",
        "name": "Expert: labour inspection and recruitment",
        "organization_type": "expert",
        "description": "Former labour inspector who audits recruitment agencies and trains "
        "inspectors to detect fee charging and contract substitution.",
        "objectives": ["6"],
        "support_types": ["training", "technical_assistance"],
        "regions": ["419"],
        "languages": ["es"],
        "modalities": ["on_site", "remote"],
        "capacity": 1,
    },
]


@pytest.fixture
def providers(people: dict[str, Person]) -> list[str]:  # noqa: F811
    """Register the providers above with consent, and one offer; return their ids."""
    with open_context() as ctx:
        for spec in PROVIDERS:
            data = {k: v for k, v in spec.items() if k != "ref"}
            provider_create(ctx, ProviderWrite(**data, consent=True), ref=spec["ref"])
        offer_create(
            ctx,
            OfferWrite(
                provider="p-remit",
                title="Remittance price comparison set-up",
                description="We help a government publish a comparison of transfer prices.",
                objectives=["20"],
                support_types=["technical_assistance"],
            ),
            ref="o-remit",
        )
    return [p["ref"] for p in PROVIDERS]


NEED = (
    "Our ministry of labour wants to stop recruitment agencies charging fees to workers who "
    "go abroad, and to train labour inspectors to check the agencies."
)


def file_request(client: TestClient, person: Person, **changes: Any) -> dict[str, Any]:
    """File a request through the API as a person; return the answer's body."""
    body = {
        "country": "MEX",
        "institution": "Ministry of Labour",
        "need": NEED,
        "support_types": ["policy_advice", "training"],
        "objectives": ["6"],
        "languages": ["es"],
        "confidentiality": "public",
        **changes,
    }
    answer = client.post("/api/v1/hub/requests", json=body, headers=person.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())
