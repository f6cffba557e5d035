"""Organization profiles after registration: edits under the registration rules, consent
withdrawn at once and without a trace of the name."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gcmhub.accounts.models import AuditEntry, Notification, User
from gcmhub.community.models import Organization
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, sign_in
from tests.community.samples import ORGANIZATION

API = "/api/v1/community"
CONTACT = "Awa Diop"


def _register(
    web: TestClient, people: dict[str, Person], approve: bool = True, **extra: Any
) -> int:
    made = web.post(
        f"{API}/organizations", json={**ORGANIZATION, **extra}, headers=people["partner"].headers
    )
    assert made.status_code == 201, made.text
    ref = int(made.json()["id"])
    if approve:
        web.post(
            f"{API}/organizations/{ref}/review",
            json={"decision": "approved"},
            headers=people["curator"].headers,
        )
    return ref


def _row(ref: int) -> dict[str, Any]:
    with open_context() as ctx:
        row = ctx.session.get(Organization, ref)
        assert row is not None
        return {c.name: getattr(row, c.name) for c in Organization.__table__.columns}


def _audit(ref: int, action: str) -> list[AuditEntry]:
    with open_context() as ctx:
        rows = ctx.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.target == f"organization:{ref}"
            )
        )
        return list(rows)


def _notices(username: str) -> list[str]:
    with open_context() as ctx:
        return list(
            ctx.session.scalars(
                select(Notification.subject)
                .join(User, User.id == Notification.user_id)
                .where(User.username == username)
            )
        )


def _patch(web: TestClient, person: Person, ref: int, **body: Any) -> Any:
    return web.patch(f"{API}/organizations/{ref}", json=body, headers=person.headers)


def test_an_edit_keeps_an_approved_organization_approved_and_tells_the_curators(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _register(web, people)
    edited = _patch(
        web,
        people["partner"],
        ref,
        offers="Mentoring and legal clinics.",
        residence_countries=["France", "BEL"],
        objectives=["19", "objective:6"],
    )
    assert edited.status_code == 200, edited.text
    shown = edited.json()
    assert shown["status"] == "approved" and shown["offers"] == "Mentoring and legal clinics."
    assert shown["residence_countries"] == ["BEL", "FRA"]
    assert shown["objectives"] == ["objective:19", "objective:6"]
    assert shown["name"] == ORGANIZATION["name"]  # what was not given stays
    assert web.get(f"{API}/organizations/{ref}").json()["offers"] == "Mentoring and legal clinics."
    assert any("Organization profile changed" in s for s in _notices(people["curator"].username))
    [entry] = _audit(ref, "organization_update")
    assert entry.before is not None and entry.after is not None
    assert entry.before["offers"] == ORGANIZATION["offers"]
    assert entry.after["offers"] == "Mentoring and legal clinics."
    assert entry.after["status"] == "approved"
    # A curator's edit is told to whoever registered it; the same values again change nothing.
    by_curator = _patch(web, people["curator"], ref, seeks="Volunteers.")
    assert by_curator.status_code == 200
    assert any("Organization profile changed" in s for s in _notices(people["partner"].username))
    assert _patch(web, people["curator"], ref, seeks="Volunteers.").status_code == 200
    assert len(_audit(ref, "organization_update")) == 2


def test_only_the_registrant_and_curators_edit_and_a_refusal_changes_nothing(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _register(web, people)
    before = _row(ref)
    refused = _patch(web, people["focal_fra"], ref, name="Taken over")
    assert refused.status_code == 403
    assert web.patch(f"{API}/organizations/{ref}", json={"name": "Taken over"}).status_code == 401
    assert _row(ref) == before
    pending = _register(web, people, approve=False, name="Still waiting")
    assert _patch(web, people["focal_fra"], pending, name="Taken over").status_code == 404
    assert _patch(web, people["partner"], pending, seeks="Funding").status_code == 200
    assert _audit(ref, "organization_update") == []


def test_an_edit_follows_the_rules_of_registration(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _register(web, people, contact_name=CONTACT, contact_consent=True)
    before = _row(ref)
    for body, field in (
        ({"city": "12 rue Garibaldi"}, "city"),
        ({"contact_name": "Moussa Sow"}, "contact_name"),  # another person consents anew
        ({"contact_name": "Moussa Sow", "contact_consent": False}, "contact_name"),
        ({"name": None}, "name"),
        ({"nickname": "Lyon"}, "nickname"),
        ({"origin_countries": ["Atlantis"]}, "origin_countries"),
        ({"website": "ftp://example.org"}, "website"),
    ):
        answer = _patch(web, people["partner"], ref, **body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in answer.json()["detail"], answer.text
    assert _row(ref) == before
    renamed = _patch(web, people["partner"], ref, contact_name="Moussa Sow", contact_consent=True)
    assert renamed.json()["contact_name"] == "Moussa Sow"
    assert _row(ref)["contact_consent_at"] > before["contact_consent_at"]
    removed = _patch(web, people["partner"], ref, contact_name=None)
    assert removed.json()["contact_name"] is None and _row(ref)["contact_consent_at"] is None
    for entry in _audit(ref, "organization_update"):
        assert "Moussa Sow" not in json.dumps([entry.before, entry.after])


def test_withdrawn_consent_removes_the_name_at_once_and_leaves_no_trace(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _register(web, people, contact_name=CONTACT, contact_consent=True)
    assert web.get(f"{API}/organizations/{ref}").json()["contact_name"] == CONTACT
    url = f"{API}/organizations/{ref}/consent/withdraw"
    assert web.post(url, headers=people["focal_mex"].headers).status_code == 403
    assert _row(ref)["contact_name"] == CONTACT
    withdrawn = web.post(url, headers=people["partner"].headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["contact_name"] is None and CONTACT not in withdrawn.text
    row = _row(ref)
    assert row["contact_name"] is None and row["contact_consent_at"] is None
    for answer in (web.get(f"{API}/organizations/{ref}"), web.get(f"{API}/organizations")):
        assert CONTACT not in answer.text
    [entry] = _audit(ref, "organization_consent_withdraw")
    assert entry.after == {"contact_named": False}
    assert CONTACT not in json.dumps([entry.before, entry.after])
    assert web.post(url, headers=people["curator"].headers).status_code == 409


def test_the_edit_page_is_prefilled_and_saves_and_withdraws(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _register(web, people, contact_name=CONTACT, contact_consent=True)
    public = TestClient(web.app)
    assert (
        public.get(f"/community/organizations/{ref}/edit", follow_redirects=False).status_code
        == 303
    )
    other = TestClient(web.app)
    sign_in(other, people["focal_fra"].username)
    assert other.get(f"/community/organizations/{ref}/edit").status_code == 403

    owner = TestClient(web.app)
    csrf = sign_in(owner, people["partner"].username)
    page = owner.get(f"/community/organizations/{ref}/edit")
    assert page.status_code == 200
    assert f'value="{ORGANIZATION["name"]}"' in page.text.replace("&#39;", "'")
    assert f'value="{CONTACT}"' in page.text and 'value="Lyon"' in page.text
    assert 'id="p-objective-19" type="checkbox" name="objectives" value="19" checked' in page.text
    assert f'action="/community/organizations/{ref}/consent/withdraw"' in page.text
    fields = {
        "csrf": csrf,
        "name": "Senegalese diaspora of Lyon",
        "kind": "diaspora",
        "origin_countries": "SEN",
        "residence_countries": "FRA",
        "city": "Lyon 7e",
        "objectives": ["19", "6"],
        "languages": "fr, wo",
        "offers": "Mentoring.",
        "contact_name": CONTACT,
        "contact_consent": "yes",
    }
    before = _row(ref)
    refused = owner.post(f"/community/organizations/{ref}/edit", data=fields)
    assert refused.status_code == 422 and "city" in refused.text
    assert 'value="Senegalese diaspora of Lyon"' in refused.text  # what was typed stays
    assert _row(ref) == before
    saved = owner.post(
        f"/community/organizations/{ref}/edit",
        data={**fields, "city": "Lyon"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    shown = web.get(f"{API}/organizations/{ref}").json()
    assert shown["name"] == "Senegalese diaspora of Lyon" and shown["status"] == "approved"
    assert shown["objectives"] == ["objective:19", "objective:6"]
    assert shown["contact_name"] == CONTACT
    assert _row(ref)["contact_consent_at"] == before["contact_consent_at"]  # same person

    forged = owner.post(f"/community/organizations/{ref}/consent/withdraw", data={"csrf": "x"})
    assert forged.status_code == 403 and _row(ref)["contact_name"] == CONTACT
    withdrawn = owner.post(
        f"/community/organizations/{ref}/consent/withdraw",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    after = owner.get(withdrawn.headers["location"])
    assert CONTACT not in after.text
    assert "consent/withdraw" not in after.text
    assert _row(ref)["contact_name"] is None
