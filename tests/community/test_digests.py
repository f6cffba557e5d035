"""Digests by email through a real local SMTP server: the news of what each person follows,
no other member's address, nothing the second time, and a dry run that stores nothing."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts.actions import token_create, user_add
from gcmhub.accounts.audit import now
from gcmhub.accounts.models import AuditEntry, User
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.community.digests import digest_compose, digest_send
from gcmhub.community.models import Digest, Follow
from gcmhub.context import Actor
from gcmhub.errors import Forbidden
from gcmhub.hub.requests import request_create
from gcmhub.hub.schemas import RequestWrite
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from tests.accounts.conftest import PASSWORD, Person, sign_in
from tests.community import samples_connections as build

NEED = "We need help to set up labour inspection of recruitment agencies and fair fees."


class Inbox:
    """An SMTP handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A local SMTP server on a free port, with GCM Hub's relay pointed at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("GCMHUB_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GCMHUB_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield handler
    controller.stop()
    get_settings.cache_clear()


def _member(username: str, email: str | None) -> Person:
    with open_context() as ctx:
        user_add(ctx, username, ["partner"], email=email, password=PASSWORD)
        token = token_create(ctx, username, TokenRequest(name="t", scopes=["read", "write"]))
    return Person(username, token.token)


def _follow(web: TestClient, person: Person, body: dict[str, Any]) -> int:
    answer = web.post("/api/v1/community/follows", json=body, headers=person.headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _counts() -> tuple[int, int]:
    with open_context() as ctx:
        digests = ctx.session.scalar(select(func.count()).select_from(Digest)) or 0
        audits = ctx.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "digest_send")
        )
        return int(digests), int(audits or 0)


def _news(web: TestClient, people: dict[str, Person], organization: int) -> dict[str, Any]:
    """What happens after the follows: in Senegal on objective 6, and elsewhere."""
    item = web.post(
        "/api/v1/items",
        json={
            "title": "Fair fees in Senegal",
            "text": "Zero recruitment fees.",
            "countries": ["SEN"],
            "objectives": ["6"],
        },
        headers=people["partner"].headers,
    )
    assert item.status_code == 201, item.text
    elsewhere = web.post(
        "/api/v1/items",
        json={
            "title": "Fair fees in Mexico",
            "text": "Zero recruitment fees.",
            "countries": ["MEX"],
            "objectives": ["6"],
        },
        headers=people["focal_mex"].headers,
    )
    assert elsewhere.status_code == 201
    made: dict[str, Any] = {"item": item.json()["id"]}
    with open_context() as ctx:
        for confidentiality in ("public", "private"):
            found = request_create(
                ctx,
                RequestWrite(
                    country="SEN",
                    institution="Ministry of Labour",
                    title=f"Labour inspection ({confidentiality})",
                    need=NEED,
                    objectives=["6"],
                    support_types=["technical_assistance"],
                    confidentiality=confidentiality,
                    contact_name="Awa",
                    contact_email="awa.contact@example.org",
                    contact_consent=True,
                ),
            )
            made[confidentiality] = found.id
        event = build.event_row(ctx, "Recruitment forum", ["GHA"], ["objective:6"])
        event.organization_id = organization
        pledge = build.pledge_row(
            ctx, "Zero fees pledge", ["SEN"], ["objective:6"], organization_id=organization
        )
        build.pledge_update_row(ctx, pledge, 50)
    return made


def test_the_digest_arrives_with_the_news_and_only_once(
    inbox: Inbox, web: TestClient, people: dict[str, Person], cli: Any
) -> None:
    follower = _member("follower", "follower@example.org")
    other = _member("other-member", "other.member@example.org")
    silent = _member("no-address", None)
    _follow(web, follower, {"objective": "6", "area": "202"})  # before the organization
    organization = web.post(
        "/api/v1/community/organizations",
        json={
            "name": "Senegalese workers abroad",
            "kind": "diaspora",
            "origin_countries": ["SEN"],
            "objectives": ["6"],
        },
        headers=other.headers,
    ).json()["id"]
    approved = web.post(
        f"/api/v1/community/organizations/{organization}/review",
        json={"decision": "approved"},
        headers=people["curator"].headers,
    )
    assert approved.status_code == 200
    _follow(web, follower, {"organization": organization})
    _follow(web, other, {"area": "419"})
    _follow(web, silent, {"objective": "6"})
    inbox.messages.clear()  # notices of the registration and review
    made = _news(web, people, organization)
    inbox.messages.clear()  # the requests' notices to the secretariat
    time.sleep(1)  # a run covers whole seconds up to the current one (digests.py)

    # A dry run composes, says what would be sent, and sends and stores nothing.
    with open_context() as ctx:
        before = {f.id: f.digest_from for f in ctx.session.scalars(select(Follow))}
    dry = cli("community", "digest", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    planned = json.loads(dry.out)
    assert planned["dry_run"] is True and planned["people"] == 2  # not the one without address
    assert {d["user"]: d["sent"] for d in planned["digests"]} == {
        "follower": True,
        "other-member": True,  # the Mexican item is in Latin America
    }
    assert inbox.messages == [] and _counts() == (0, 0)
    with open_context() as ctx:
        assert {f.id: f.digest_from for f in ctx.session.scalars(select(Follow))} == before

    sent = cli("community", "digest")
    assert sent.code == 0, sent.err
    assert "2 digests sent" in sent.out
    mail = inbox.to("follower@example.org")
    assert len(mail) == 1
    body = mail[0].get_payload(decode=True).decode()
    assert "digest" in mail[0]["Subject"]
    base = get_settings().public_url.rstrip("/")
    assert "Fair fees in Senegal" in body and f"{base}/items/{made['item']}" in body
    assert "Fair fees in Mexico" not in body
    assert "Labour inspection (public)" in body and f"/hub/requests/{made['public']}" in body
    assert "Labour inspection (private)" not in body
    assert "Recruitment forum" in body and "Zero fees pledge: 50 %" in body
    assert "## Senegalese workers abroad\n" in body.replace("\r", "")  # the organization's own news
    assert "New organization in the directory: Senegalese workers abroad" in body
    assert f"{base}/community/follows" in body  # the way out
    for address in ("other.member@example.org", "awa.contact@example.org", "pledger@example.org"):
        assert address not in body
    assert b"Fair fees in Mexico" in inbox.to("other.member@example.org")[0].get_payload(
        decode=True
    )
    assert _counts() == (2, 1)
    with open_context() as ctx:
        moved = list(ctx.session.scalars(select(Follow)))
        stored = ctx.session.scalar(select(Digest).where(Digest.news > 0).order_by(Digest.id))
    assert all(f.digest_from > before[f.id] for f in moved if f.user_id != _id("no-address"))
    assert stored is not None and stored.period_to >= stored.period_from

    # The second run: nothing new, nothing sent, and the follows page says when it was sent.
    again = cli("community", "digest", "--json")
    assert json.loads(again.out)["sent"] == 0
    assert len(inbox.messages) == 2 and _counts() == (2, 2)
    browser = TestClient(web.app)
    sign_in(browser, "follower")
    page = browser.get("/community/follows")
    assert "Your last digest was sent on" in page.text
    assert "Nothing new yet since your last digest." in page.text


def _id(username: str) -> int:
    with open_context() as ctx:
        found = ctx.session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return int(found)


def test_news_before_the_follow_or_outside_it_are_not_in_the_digest(
    web: TestClient, people: dict[str, Person]
) -> None:
    follower = _member("follower", "follower@example.org")
    early = web.post(
        "/api/v1/items",
        json={
            "title": "Old news in Senegal",
            "text": "Before.",
            "countries": ["SEN"],
            "objectives": ["6"],
        },
        headers=people["partner"].headers,
    )
    assert early.status_code == 201
    time.sleep(1)  # news of the follow's own second count for it
    _follow(web, follower, {"objective": "6", "area": "SEN"})
    web.post(
        "/api/v1/items",
        json={
            "title": "Objective 7 in Senegal",
            "text": "Other.",
            "countries": ["SEN"],
            "objectives": ["7"],
        },
        headers=people["partner"].headers,
    )
    with open_context() as ctx:
        user = ctx.session.get(User, _id("follower"))
        assert user is not None
        preview = digest_compose(ctx, user)
        assert preview.news == 0
        wide = digest_compose(ctx, user, since=now() - timedelta(days=1))
        assert [n.title for s in wide.sections for n in s.news] == ["Old news in Senegal"]


def test_only_the_system_and_admins_send_digests(people: dict[str, Person]) -> None:
    with open_context(Actor("curator", frozenset({"curator"}), user_id=_id("curator"))) as ctx:
        with pytest.raises(Forbidden):
            digest_send(ctx)
    with open_context(Actor("admin", frozenset({"admin"}), user_id=_id("admin"))) as ctx:
        assert digest_send(ctx).sent == 0
