"""Accounts from the command line, the API and the pages: refusals leave nothing changed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from gcmhub.accounts.audit import now
from gcmhub.accounts.models import ApiToken, AuditEntry, User
from gcmhub.db import engine_for
from gcmhub.knowledge.models import Item, ItemConcept
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from gcmhub.web.app import create_app
from tests.accounts.conftest import PASSWORD, Person, sign_in


def _audits() -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_new_account_gets_a_password_shown_once_and_stored_hashed(cli: Any) -> None:
    result = cli("users", "add", "amina", "--role", "partner", "--organization", "IOM")
    assert result.code == 0, result.err
    password = result.out.split("(shown once): ")[1].strip()
    assert len(password) >= 16
    with open_context() as ctx:
        stored = ctx.session.scalar(select(User.password_hash).where(User.username == "amina"))
    assert stored is not None and stored.startswith("$argon2id$") and password not in stored
    listed = cli("users", "list")
    assert "amina" in listed.out and password not in listed.out


def test_bad_accounts_are_refused_in_one_line(cli: Any) -> None:
    for args in (
        ("users", "add", "x", "--role", "wizard"),
        ("users", "add", "fp", "--role", "focal_point"),  # a focal point needs a country
        ("users", "add", "fp", "--role", "focal_point", "--country", "Atlantis"),
        ("users", "add", "bad name", "--role", "partner"),
    ):
        result = cli(*args)
        assert result.code == 2, args
        assert result.err.startswith("gcmhub: error:") and result.err.count("\n") == 1
    assert cli("users", "add", "amina", "--role", "partner").code == 0
    again = cli("users", "add", "Amina", "--role", "curator")
    assert again.code == 2 and "already" in again.err


def test_a_token_works_until_it_is_revoked_and_a_replay_is_refused(
    web: TestClient, people: dict[str, Person], cli: Any
) -> None:
    person = people["partner"]
    assert web.get("/api/v1/me", headers=person.headers).json()["account"]["username"] == "partner"
    token_id = web.get("/api/v1/me", headers=person.headers).json()["tokens"][0]["id"]
    assert cli("users", "revoke", str(token_id)).code == 0
    replay = web.post(
        "/api/v1/items", json={"title": "Replay", "text": "x"}, headers=person.headers
    )
    assert replay.status_code == 401 and "revoked" in replay.json()["detail"]
    assert replay.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused_and_changes_nothing(
    web: TestClient, people: dict[str, Person]
) -> None:
    with open_context() as ctx:
        ctx.session.execute(update(ApiToken).values(expires_at=now() - timedelta(seconds=1)))
    before = _audits()
    answer = web.post(
        "/api/v1/items", json={"title": "Late", "text": "x"}, headers=people["curator"].headers
    )
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]
    assert _audits() == before


def test_a_malformed_or_unknown_token_is_refused(
    web: TestClient, people: dict[str, Person]
) -> None:
    for header in ("Bearer gcm_nope", "Basic abc", "Bearer "):
        answer = web.get("/api/v1/items?limit=1", headers={"Authorization": header})
        assert answer.status_code == 401, header


def test_a_read_only_token_cannot_write(
    web: TestClient, people: dict[str, Person], cli: Any
) -> None:
    made = cli("users", "token", "curator", "--scope", "read", "--json")
    token = __import__("json").loads(made.out)["token"]
    answer = web.post(
        "/api/v1/items/gcm-20a/tags/objective:20/confirm",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403 and "write" in answer.json()["detail"]


def test_a_focal_point_cannot_write_to_another_country(
    web: TestClient, people: dict[str, Person]
) -> None:
    mexico = web.post(
        "/api/v1/items",
        json={"title": "Mexican consular IDs", "text": "Matrícula consular.", "countries": ["MEX"]},
        headers=people["focal_mex"].headers,
    )
    assert mexico.status_code == 201
    ref = mexico.json()["id"]
    before = _audits()
    france = web.patch(
        f"/api/v1/items/{ref}", json={"title": "Changed"}, headers=people["focal_fra"].headers
    )
    assert france.status_code == 403
    moved = web.patch(
        f"/api/v1/items/{ref}", json={"countries": ["FRA"]}, headers=people["focal_mex"].headers
    )
    assert moved.status_code == 403  # may not move its item out of its countries
    assert _audits() == before
    item = web.get(f"/api/v1/items/{ref}").json()
    assert item["title"] == "Mexican consular IDs"
    assert [t["concept"] for t in item["tags"] if t["concept"].startswith("country:")] == [
        "country:MEX"
    ]
    refused = web.post(
        "/api/v1/items",
        json={"title": "French item", "text": "x", "countries": ["FRA"]},
        headers=people["focal_mex"].headers,
    )
    assert refused.status_code == 403


def test_writes_are_on_record_with_before_and_after(
    web: TestClient, people: dict[str, Person]
) -> None:
    made = web.post(
        "/api/v1/items",
        json={"title": "Remittance price comparison", "text": "A website.", "countries": ["SEN"]},
        headers=people["partner"].headers,
    ).json()
    changed = web.patch(
        f"/api/v1/items/{made['id']}",
        json={"title": "Remittance prices compared"},
        headers=people["partner"].headers,
    )
    assert changed.status_code == 200
    trail = web.get("/api/v1/audit", headers=people["curator"].headers).json()["data"]
    update_entry = next(e for e in trail if e["action"] == "item_update")
    assert update_entry["before"]["title"] == "Remittance price comparison"
    assert update_entry["after"]["title"] == "Remittance prices compared"
    assert update_entry["actor"].startswith("partner (user:")
    assert web.get("/api/v1/audit", headers=people["partner"].headers).status_code == 403
    csv_text = web.get("/api/v1/audit?format=csv", headers=people["curator"].headers).text
    assert csv_text.startswith("id,at,actor,action,target,before,after")
    assert "item_update" in csv_text


def test_the_audit_trail_cannot_be_changed_or_deleted(
    web: TestClient, people: dict[str, Person], demo_data: Path
) -> None:
    web.post("/api/v1/items/gcm-20a/tags/objective:20/confirm", headers=people["curator"].headers)
    engine = engine_for(get_settings().url)
    for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert _audits() >= 1


def test_drafts_are_hidden_from_the_public_and_from_search(
    web: TestClient, people: dict[str, Person]
) -> None:
    draft = web.post(
        "/api/v1/items",
        json={"title": "Zanzibar seasonal worker draft", "text": "Draft.", "status": "draft"},
        headers=people["partner"].headers,
    ).json()
    assert web.get(f"/api/v1/items/{draft['id']}").status_code == 404
    assert (
        web.get(f"/api/v1/items/{draft['id']}", headers=people["partner"].headers).status_code
        == 200
    )
    assert (
        web.get(f"/api/v1/items/{draft['id']}", headers=people["focal_fra"].headers).status_code
        == 404
    )
    found = web.get("/api/v1/search", params={"q": "Zanzibar", "mode": "lexical"}).json()
    assert found["total"] == 0
    web.patch(
        f"/api/v1/items/{draft['id']}",
        json={"status": "published"},
        headers=people["partner"].headers,
    )
    found = web.get("/api/v1/search", params={"q": "Zanzibar", "mode": "lexical"}).json()
    assert [h["id"] for h in found["hits"]] == [draft["id"]]


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(
    web: TestClient, people: dict[str, Person]
) -> None:
    page = web.get("/login")
    csrf = web.cookies.get("gcmhub_csrf")
    assert csrf and f'value="{csrf}"' in page.text
    attempts = get_settings().login_attempts
    for _ in range(attempts):
        wrong = web.post("/login", data={"username": "curator", "password": "nope", "csrf": csrf})
        assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
    locked = web.post("/login", data={"username": "curator", "password": PASSWORD, "csrf": csrf})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "gcmhub_session" not in web.cookies


def test_sign_in_attempts_from_one_address_are_rate_limited(
    web: TestClient, people: dict[str, Person]
) -> None:
    web.get("/login")
    csrf = web.cookies.get("gcmhub_csrf")
    codes = [
        web.post("/login", data={"username": f"n{n}", "password": "x", "csrf": csrf}).status_code
        for n in range(get_settings().login_rate + 1)
    ]
    assert codes[:-1] == [401] * get_settings().login_rate and codes[-1] == 429


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    web: TestClient, people: dict[str, Person]
) -> None:
    sign_in(web, "curator")
    before = _audits()
    for data in ({}, {"csrf": "forged"}):
        answer = web.post(
            "/curate/reject", data={"item": "gcm-20a", "concept": "cluster:2", **data}
        )
        assert answer.status_code in (403, 422), data
    assert _audits() == before
    with open_context() as ctx:
        tag = ctx.session.scalar(
            select(ItemConcept.status)
            .join(Item, Item.id == ItemConcept.item_id)
            .where(Item.ref == "gcm-20a", ItemConcept.concept_id == "cluster:2")
        )
    assert tag != "rejected"


def test_a_signed_in_curator_confirms_a_tag_from_the_curation_page(
    web: TestClient, people: dict[str, Person]
) -> None:
    csrf = sign_in(web, "curator")
    page = web.get("/curate")
    assert page.status_code == 200 and "/curate/confirm" in page.text
    first = page.text.split('name="item" value="', 1)[1].split('"', 1)[0]
    concept = page.text.split('name="concept" value="', 1)[1].split('"', 1)[0]
    answer = web.post(
        "/curate/confirm",
        data={"csrf": csrf, "item": first, "concept": concept},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    tags = web.get(f"/api/v1/items/{first}").json()["tags"]
    assert {"concept": concept, "status": "confirmed", "origin": "curator"}.items() <= next(
        t for t in tags if t["concept"] == concept
    ).items()


def test_signing_out_ends_the_session_and_a_replayed_cookie_is_the_public(
    web: TestClient, people: dict[str, Person]
) -> None:
    csrf = sign_in(web, "partner")
    cookie = web.cookies.get("gcmhub_session")
    assert web.get("/account").status_code == 200
    web.post("/logout", data={"csrf": csrf})
    replay = TestClient(web.app, cookies={"gcmhub_session": cookie or ""})
    answer = replay.get("/account", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_a_disabled_account_loses_its_sessions_and_tokens(
    web: TestClient, people: dict[str, Person], cli: Any
) -> None:
    sign_in(web, "partner")
    assert cli("users", "disable", "partner").code == 0
    assert web.get("/account", follow_redirects=False).status_code == 303
    assert web.get("/api/v1/me", headers=people["partner"].headers).status_code == 401


def test_a_person_exports_and_deletes_their_personal_data(
    web: TestClient, people: dict[str, Person]
) -> None:
    headers = people["partner"].headers
    web.post("/api/v1/items", json={"title": "Mine", "text": "x"}, headers=headers)
    data = web.get("/api/v1/me", headers=headers).json()
    assert data["account"]["username"] == "partner" and data["tokens"]
    assert [a["action"] for a in data["audit"]] == ["item_create"]
    assert web.delete("/api/v1/me", headers=headers).status_code == 204
    assert web.get("/api/v1/me", headers=headers).status_code == 401  # tokens are gone
    with open_context() as ctx:
        names = set(ctx.session.scalars(select(User.username)))
    assert "partner" not in names
    trail = web.get("/api/v1/audit", headers=people["curator"].headers).json()["data"]
    assert any(e["actor"].startswith("deleted-") for e in trail)
    assert not any(e["actor"].startswith("partner") for e in trail)


def test_the_first_run_creates_an_admin_whose_password_is_printed_once(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    first = cli("serve", "--no-demo")
    assert "account 'admin' created" in first.out
    password = first.out.split("(shown once): ")[1].split()[0]
    again = cli("serve", "--no-demo")
    assert "admin" not in again.out and password not in again.out
    with TestClient(create_app()) as client:
        csrf = sign_in(client, "admin", password)
        assert csrf


def test_an_oversized_body_is_refused_with_413(web: TestClient, people: dict[str, Person]) -> None:
    body = {"title": "Big", "text": "x" * (get_settings().max_body_bytes + 10)}
    answer = web.post("/api/v1/items", json=body, headers=people["partner"].headers)
    assert answer.status_code == 413


def test_https_responses_carry_hsts(people: dict[str, Person]) -> None:
    with TestClient(create_app(), base_url="https://hub.example") as client:
        assert "max-age" in client.get("/api/v1/schemes").headers["strict-transport-security"]
    with TestClient(create_app()) as client:
        assert "strict-transport-security" not in client.get("/api/v1/schemes").headers


def test_a_focal_point_adds_an_item_about_its_country_from_the_page(
    web: TestClient, people: dict[str, Person]
) -> None:
    csrf = sign_in(web, "focal-mex")
    form = web.get("/items/new")
    assert form.status_code == 200 and 'value="MEX"' in form.text
    fields = {
        "csrf": csrf,
        "title": "Ventanilla de salud",
        "text": "Health desks in consulates.",
        "type": "practice",
        "countries": "Mexico",
        "objectives": "15",
        "status": "published",
    }
    answer = web.post("/items/new", data=fields, follow_redirects=False)
    assert answer.status_code == 303
    ref = answer.headers["location"].removeprefix("/items/")
    item = web.get(f"/api/v1/items/{ref}").json()
    assert {"country:MEX", "objective:15"} <= {t["concept"] for t in item["tags"]}
    assert 'href="/items/' + ref + '/edit"' in web.get(f"/items/{ref}").text


def test_a_bad_item_form_is_shown_again_with_the_error_and_nothing_is_stored(
    web: TestClient, people: dict[str, Person]
) -> None:
    csrf = sign_in(web, "partner")
    before = _audits()
    for fields in (
        {"title": "No", "text": "Too short a title."},
        {"title": "Unknown country", "text": "x", "countries": "Atlantis"},
        {"title": "Bad date", "text": "x", "date": "yesterday"},
    ):
        answer = web.post("/items/new", data={"csrf": csrf, **fields})
        assert answer.status_code == 422, fields
        assert 'role="alert"' in answer.text and fields["title"] in answer.text  # kept
    assert _audits() == before
