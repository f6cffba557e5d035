"""Attachments checked by content, and people listed only with their consent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.hub.models import Attachment, Provider
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from tests.accounts.conftest import Person
from tests.hub.conftest import file_request
from tests.text.builders import make_pdf


def _attach(web: TestClient, person: Person, ref: str, name: str, data: bytes) -> Any:
    return web.post(
        f"/api/v1/hub/requests/{ref}/attachments",
        files={"file": (name, data)},
        headers=person.headers,
    )


def _attachments() -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_attachments_are_checked_and_kept_for_those_taking_part(
    web: TestClient, people: dict[str, Person], tmp_path: Path
) -> None:
    focal = people["focal_mex"]
    ref = file_request(web, focal)["id"]
    pdf = make_pdf(
        tmp_path / "terms.pdf", [[("p", "Terms of reference for the inspectors course.")]]
    )
    good = _attach(web, focal, ref, "terms.pdf", pdf.read_bytes())
    assert good.status_code == 201, good.text
    (attached,) = good.json()["attachments"]
    assert attached["media_type"] == "application/pdf" and attached["size"] == pdf.stat().st_size
    # Refusals, each naming what is wrong, and nothing more stored.
    broken = pdf.read_bytes()[:200]
    answers = {
        "damaged": _attach(web, focal, ref, "broken.pdf", broken),
        "not a pdf": _attach(web, focal, ref, "fake.pdf", b"MZ\x90\x00 an executable"),
        "kind": _attach(web, focal, ref, "tool.exe", b"MZ\x90\x00"),
        "twice": _attach(web, focal, ref, "again.pdf", pdf.read_bytes()),
        "empty": _attach(web, focal, ref, "empty.txt", b""),
    }
    assert answers["damaged"].status_code == 422 and "damaged PDF" in answers["damaged"].text
    assert (
        answers["not a pdf"].status_code == 422 and "not a valid PDF" in answers["not a pdf"].text
    )
    assert answers["kind"].status_code == 422 and ".pdf" in answers["kind"].json()["detail"]
    assert answers["twice"].status_code == 409 and "terms.pdf" in answers["twice"].json()["detail"]
    assert answers["empty"].status_code == 422
    too_big = _attach(web, focal, ref, "big.txt", b"a" * (get_settings().max_body_bytes + 10))
    assert too_big.status_code == 413
    assert _attachments() == 1
    # The file comes back to those taking part, and to nobody else.
    address = f"/api/v1/hub/requests/{ref}/attachments/{attached['id']}"
    back = web.get(address, headers=people["curator"].headers)
    assert back.status_code == 200 and back.content == pdf.read_bytes()
    assert back.headers["cache-control"].startswith("private")
    assert web.get(address).status_code == 404  # the request is public, its files are not
    assert web.get(address, headers=people["focal_fra"].headers).status_code == 404


EXPERT = {
    "kind": "expert",
    "name": "Expert: consular case management",
    "description": "Designs case management for consulates assisting nationals abroad.",
    "objectives": ["14"],
    "support_types": ["technical_assistance"],
    "languages": ["en"],
}


def test_a_provider_without_consent_is_not_shown_or_proposed(
    web: TestClient, people: dict[str, Person]
) -> None:
    partner = people["partner"].headers
    made = web.post("/api/v1/hub/providers", json=EXPERT, headers=partner)
    assert made.status_code == 201, made.text
    ref = made.json()["id"]
    assert made.json()["consent"] is False
    assert web.get(f"/api/v1/hub/providers/{ref}").status_code == 404
    assert all(p["id"] != ref for p in web.get("/api/v1/hub/providers").json())
    csv = web.get("/api/v1/hub/providers?format=csv").text
    assert "consular case management" not in csv
    assert web.get(f"/api/v1/hub/providers/{ref}", headers=partner).status_code == 200
    # Not proposed for a request either.
    request = file_request(
        web, people["focal_mex"], objectives=["14"], support_types=["technical_assistance"]
    )["id"]
    matches = web.get(f"/api/v1/hub/requests/{request}/matches", headers=people["curator"].headers)
    assert ref not in [m["id"] for m in matches.json()["providers"]]
    engaged = web.post(
        f"/api/v1/hub/requests/{request}/engagements",
        json={"provider": ref},
        headers=people["curator"].headers,
    )
    assert engaged.status_code == 409 and "consent" in engaged.json()["detail"]
    # A contact address needs consent.
    refused = web.patch(
        f"/api/v1/hub/providers/{ref}", json={"contact_email": "x@example.org"}, headers=partner
    )
    assert refused.status_code == 422
    # With consent it is listed and proposed; withdrawn, it is hidden and the contact dropped.
    agreed = web.patch(
        f"/api/v1/hub/providers/{ref}",
        json={"consent": True, "contact_email": "expert@example.org"},
        headers=partner,
    )
    assert agreed.status_code == 200 and agreed.json()["contact_email"] == "expert@example.org"
    assert web.get(f"/api/v1/hub/providers/{ref}").json()["contact_email"] == "expert@example.org"
    matches = web.get(f"/api/v1/hub/requests/{request}/matches", headers=people["curator"].headers)
    assert matches.json()["providers"][0]["id"] == ref
    withdrawn = web.patch(f"/api/v1/hub/providers/{ref}", json={"consent": False}, headers=partner)
    assert withdrawn.json()["contact_email"] is None
    assert web.get(f"/api/v1/hub/providers/{ref}").status_code == 404


def test_an_experts_profile_is_in_their_data_and_erased_with_them(
    web: TestClient, people: dict[str, Person]
) -> None:
    partner = people["partner"].headers
    ref = web.post(
        "/api/v1/hub/providers",
        json={**EXPERT, "consent": True, "contact_email": "me@example.org"},
        headers=partner,
    ).json()["id"]
    mine = web.get("/api/v1/me", headers=partner).json()
    assert mine["expert_profiles"][0]["id"] == ref
    assert web.delete("/api/v1/me", headers=partner).status_code == 204
    with open_context() as ctx:
        provider = ctx.session.scalar(select(Provider).where(Provider.ref == ref))
        assert provider is not None
        assert provider.contact_email is None and provider.consent_at is None
        assert "consular" not in provider.name.lower() and not provider.active
    assert web.get(f"/api/v1/hub/providers/{ref}").status_code == 404


def test_offers_are_listed_until_withdrawn(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    offers = web.get("/api/v1/hub/offers").json()
    assert [o["id"] for o in offers] == ["o-remit"] and offers[0]["current"]
    assert web.get("/api/v1/hub/offers?objective=1").json() == []
    assert (
        web.post(
            "/api/v1/hub/offers/o-remit/withdraw", headers=people["partner"].headers
        ).status_code
        == 403
    )
    gone = web.post("/api/v1/hub/offers/o-remit/withdraw", headers=people["curator"].headers)
    assert gone.status_code == 204
    assert web.get("/api/v1/hub/offers").json() == []
    assert web.get("/api/v1/hub/offers?current=false").json()[0]["current"] is False


def test_an_anonymised_request_is_published_without_who_asked(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    curator = people["curator"]
    ref = file_request(web, people["focal_mex"], confidentiality="anonymised")["id"]
    for state in ("triaged",):
        web.post(f"/api/v1/hub/requests/{ref}/steps", json={"to": state}, headers=curator.headers)
    web.post(
        f"/api/v1/hub/requests/{ref}/engagements",
        json={"provider": "p-recruit", "status": "confirmed", "role": "fee-ban advice"},
        headers=curator.headers,
    )
    early = web.post(f"/api/v1/hub/requests/{ref}/publish", headers=curator.headers)
    assert early.status_code == 409 and "resolved" in early.json()["detail"]
    for state in ("matched", "in_progress", "resolved"):
        answer = web.post(
            f"/api/v1/hub/requests/{ref}/steps", json={"to": state}, headers=curator.headers
        )
        assert answer.status_code == 200, answer.text
    published = web.post(f"/api/v1/hub/requests/{ref}/publish", headers=curator.headers)
    item = web.get(f"/api/v1/items/{published.json()['solution']}").json()
    assert "Ministry of Labour" not in item["text"] and "Mexico" not in item["text"]
    assert (
        "Latin America" in item["text"]
        or "Central America" in item["text"]
        or "Americas" in item["text"]
    )
    assert "fee-ban advice" in item["text"]
    assert all(not t["concept"].startswith("country:") for t in item["tags"])
