"""Messages between members through the platform: no address shown, reports, rate, erasure."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts import actions
from gcmhub.accounts.models import AuditEntry, Notification, User
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.community.models import Contribution, Digest, Event, Follow, Message, Organization
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from gcmhub.web.limits import MESSAGES
from tests.accounts.conftest import Person, sign_in
from tests.community.samples import CONSULTATION, CONTRIBUTION
from tests.community.samples_messages import ORGANIZATION, approved_organization

API = "/api/v1/community"
OWNER_EMAIL = "amina.owner@example.org"
WRITER_EMAIL = "jean.writer@example.org"
ADDRESSES = (OWNER_EMAIL, WRITER_EMAIL)
SUBJECT = "Fee-free recruitment"
BODY = "Dear colleagues,\n\nCould we exchange on fee-free recruitment?\n  Jean"


class Inbox:
    """An SMTP handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


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
    monkeypatch.delenv("GCMHUB_SMTP_HOST")
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_message_limits() -> Iterator[None]:
    """Start every test with an empty window of messages."""
    MESSAGES.clear()
    yield
    MESSAGES.clear()


def _member(username: str, email: str, display_name: str) -> Person:
    """An account with an email address and a read-write token."""
    with open_context() as ctx:
        actions.user_add(
            ctx,
            username,
            ["partner"],
            email=email,
            display_name=display_name,
            password="correct horse battery staple",
        )
        made = actions.token_create(
            ctx, username, TokenRequest(name="tests", scopes=["read", "write"])
        )
    return Person(username, made.token)


@pytest.fixture
def members(people: dict[str, Person]) -> dict[str, Any]:
    """An organization's registrant and a writer, both with addresses, and the organization."""
    owner = _member("amina", OWNER_EMAIL, "Amina Bello")
    writer = _member("jean", WRITER_EMAIL, "Jean Dupont")
    return {"owner": owner, "writer": writer, "organization": approved_organization("amina")}


def _count(table: Any) -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(table)) or 0)


def _send(web: TestClient, person: Person, organization: int, **extra: Any) -> Any:
    return web.post(
        f"{API}/organizations/{organization}/messages",
        json={"subject": SUBJECT, "body": BODY, **extra},
        headers=person.headers,
    )


def _no_address(*texts: str) -> None:
    for text in texts:
        for address in ADDRESSES:
            assert address not in text


def _notices(username: str) -> list[tuple[str, str, str | None]]:
    with open_context() as ctx:
        rows = ctx.session.execute(
            select(Notification.subject, Notification.body, Notification.link)
            .join(User, User.id == Notification.user_id)
            .where(User.username == username)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_message_reaches_the_owner_by_notice_and_email_and_no_address_is_shown(
    inbox: Inbox, web: TestClient, members: dict[str, Any]
) -> None:
    owner, writer, organization = members["owner"], members["writer"], members["organization"]
    del inbox.messages[:]  # the approval of the organization
    sent = _send(web, writer, organization)
    assert sent.status_code == 201, sent.text
    made = sent.json()
    assert made["body"] == BODY  # kept as written, line breaks and spaces included
    assert (made["direction"], made["recipient"]) == ("sent", ORGANIZATION["name"])
    # The owner: a notice and an email with the subject, the writer's name and a link.
    assert [m["To"] for m in inbox.messages] == [OWNER_EMAIL]
    email = inbox.messages[0]
    assert SUBJECT in email["Subject"]
    text = email.get_payload()
    assert "Jean Dupont" in text and f"/community/messages/{made['id']}" in text
    assert BODY not in text  # read on the platform
    _no_address(email.as_string().replace(OWNER_EMAIL, ""))
    assert any(SUBJECT in s and "Jean Dupont" in b for s, b, _ in _notices("amina"))
    # Both sides read by name, never by address.
    box = web.get(f"{API}/messages", headers=owner.headers)
    assert box.headers["cache-control"] == "private, no-store"
    assert [(m["id"], m["direction"], m["sender"]) for m in box.json()] == [
        (made["id"], "received", "Jean Dupont")
    ]
    assert box.json()[0]["read_at"] is None
    read = web.get(f"{API}/messages/{made['id']}", headers=owner.headers)
    assert read.json()["read_at"] is not None
    mine = web.get(f"{API}/messages", headers=writer.headers)
    assert [m["recipient"] for m in mine.json()] == [ORGANIZATION["name"]]
    _no_address(sent.text, box.text, read.text, mine.text)
    # The reply goes back to the writer, shown as from the organization.
    replied = web.post(
        f"{API}/messages/{made['id']}/reply", json={"body": "Gladly."}, headers=owner.headers
    )
    assert replied.status_code == 201, replied.text
    reply = replied.json()
    assert (reply["subject"], reply["reply_to"]) == (f"Re: {SUBJECT}", made["id"])
    assert inbox.messages[-1]["To"] == WRITER_EMAIL
    _no_address(replied.text, inbox.messages[-1].as_string().replace(WRITER_EMAIL, ""))
    got = web.get(f"{API}/messages/{reply['id']}", headers=writer.headers).json()
    assert (got["direction"], got["sender"], got["recipient"]) == (
        "received",
        ORGANIZATION["name"],
        "Jean Dupont",
    )
    box = web.get(f"{API}/messages", params={"box": "sent"}, headers=owner.headers).json()
    assert [m["id"] for m in box] == [reply["id"]]
    everything = web.get(f"{API}/messages", headers=writer.headers).json()
    assert [m["id"] for m in everything] == [reply["id"], made["id"]]  # newest first


def test_only_the_two_parties_read_a_message_and_only_the_recipient_answers(
    web: TestClient, people: dict[str, Person], members: dict[str, Any]
) -> None:
    writer, organization = members["writer"], members["organization"]
    made = _send(web, writer, organization).json()["id"]
    before = _count(Message)
    third = people["focal_mex"]
    assert web.get(f"{API}/messages/{made}", headers=third.headers).status_code == 404
    assert web.get(f"{API}/messages/{made}").status_code == 401
    for action, body in (("reply", {"body": "Hi"}), ("report", {"reason": "Spam here"})):
        url = f"{API}/messages/{made}/{action}"
        assert web.post(url, json=body, headers=third.headers).status_code == 404
        assert web.post(url, json=body, headers=writer.headers).status_code == 403
    assert web.get(f"{API}/messages/{made + 1000}", headers=writer.headers).status_code == 404
    assert web.get(f"{API}/messages", headers=third.headers).json() == []
    assert web.get(f"{API}/messages").status_code == 401
    assert _count(Message) == before


def test_a_report_reaches_every_curator_and_the_sender_is_not_told(
    web: TestClient, people: dict[str, Person], members: dict[str, Any]
) -> None:
    owner, writer, organization = members["owner"], members["writer"], members["organization"]
    made = _send(web, writer, organization).json()["id"]
    reported = web.post(
        f"{API}/messages/{made}/report",
        json={"reason": "He threatens our members"},
        headers=owner.headers,
    )
    assert reported.status_code == 200, reported.text
    assert reported.json() == {"message": made, "reported": True, "notified": 2}
    for curator in (people["curator"].username, people["admin"].username):
        assert any(
            str(made) in s
            and "He threatens our members" in b
            and link == f"/community/messages/{made}"
            for s, b, link in _notices(curator)
        )
    assert not any("threatens" in b for _, b, _ in _notices("jean"))
    seen = web.get(f"{API}/messages/{made}", headers=people["curator"].headers)
    assert seen.status_code == 200 and seen.json()["direction"] == "reported"
    assert seen.json()["read_at"] is None  # a curator's reading is not the recipient's
    assert web.get(f"{API}/messages/{made}", headers=owner.headers).json()["status"] == "reported"
    assert web.get(f"{API}/messages/{made}", headers=writer.headers).json()["status"] == "delivered"
    assert web.get(f"{API}/messages/{made}", headers=people["focal_fra"].headers).status_code == 404
    again = web.post(
        f"{API}/messages/{made}/report", json={"reason": "Again"}, headers=owner.headers
    )
    assert again.status_code == 409
    with open_context() as ctx:
        entry = ctx.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "message_report", AuditEntry.target == f"message:{made}"
            )
        )
        assert entry is not None and entry.after == {
            "status": "reported",
            "reason": "He threatens our members",
        }


def test_the_sixth_message_in_a_minute_is_refused_and_not_stored(
    web: TestClient, people: dict[str, Person], members: dict[str, Any]
) -> None:
    writer, organization = members["writer"], members["organization"]
    before = _count(Message)
    answers = [_send(web, writer, organization) for _ in range(6)]
    assert [a.status_code for a in answers] == [201] * 5 + [429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429 and "messages" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert _count(Message) == before + 5
    # The owner's reply counts in the owner's own window, not the writer's.
    first = answers[0].json()["id"]
    replied = web.post(
        f"{API}/messages/{first}/reply",
        json={"body": "Slow down"},
        headers=members["owner"].headers,
    )
    assert replied.status_code == 201
    assert _send(web, people["partner"], organization).status_code == 201


BAD = [
    ({"body": "x" * 5001}, "body"),
    ({"body": "   \n "}, "body"),
    ({"body": "hidden\x00byte"}, "body"),
    ({"subject": ""}, "subject"),
    ({"subject": "two\nlines"}, "subject"),
    ({"subject": "s" * 201}, "subject"),
    ({"subject": None}, "subject"),
]


def test_bad_messages_are_refused_naming_the_field(
    web: TestClient, members: dict[str, Any]
) -> None:
    before = _count(Message)
    for change, field in BAD:
        answer = _send(web, members["writer"], members["organization"], **change)
        assert answer.status_code == 422, (change, answer.text)
        assert answer.json()["detail"].startswith(field), answer.text
    assert _count(Message) == before


def test_only_approved_organizations_of_others_receive_messages(
    web: TestClient, people: dict[str, Person], members: dict[str, Any]
) -> None:
    owner, writer = members["owner"], members["writer"]
    before = _count(Message)
    own = _send(web, owner, members["organization"])
    assert own.status_code == 422 and "organization" in own.json()["detail"]
    pending = web.post(
        f"{API}/organizations",
        json={**ORGANIZATION, "name": "Waiting association"},
        headers=owner.headers,
    ).json()["id"]
    assert _send(web, writer, pending).status_code == 404
    assert _send(web, people["curator"], pending).status_code == 409  # seen, not approved
    assert _send(web, writer, 999_999).status_code == 404
    assert (
        web.post(
            f"{API}/organizations/{members['organization']}/messages",
            json={"subject": SUBJECT, "body": BODY},
        ).status_code
        == 401
    )
    assert _count(Message) == before


def test_the_pages_send_read_reply_and_report(
    web: TestClient, people: dict[str, Person], members: dict[str, Any]
) -> None:
    organization = members["organization"]
    public = TestClient(web.app)
    form = public.get(f"/community/organizations/{organization}/messages")
    assert form.status_code == 200 and "Sign in to write to this organization" in form.text
    assert 'name="body"' not in form.text
    assert public.get("/community/messages", follow_redirects=False).status_code == 303

    writer = TestClient(web.app)
    csrf = sign_in(writer, "jean")
    page = writer.get(f"/community/organizations/{organization}/messages")
    assert 'name="body"' in page.text and "Sign in to write" not in page.text
    before = _count(Message)
    too_long = writer.post(
        f"/community/organizations/{organization}/messages",
        data={"csrf": csrf, "subject": SUBJECT, "body": "y" * 5001},
    )
    assert too_long.status_code == 422 and "body" in too_long.text
    assert "y" * 5001 in too_long.text  # what was typed comes back
    assert _count(Message) == before
    forged = writer.post(
        f"/community/organizations/{organization}/messages",
        data={"csrf": "forged", "subject": SUBJECT, "body": BODY},
    )
    assert forged.status_code == 403 and _count(Message) == before
    sent = writer.post(
        f"/community/organizations/{organization}/messages",
        data={"csrf": csrf, "subject": SUBJECT, "body": BODY},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    made = int(sent.headers["location"].split("/")[-1].split("?")[0])
    thread = writer.get(sent.headers["location"])
    assert "Could we exchange on fee-free recruitment?" in thread.text
    assert f'action="/community/messages/{made}/reply"' not in thread.text  # the sender
    _no_address(thread.text, writer.get("/community/messages").text)

    owner = TestClient(web.app)
    owner_csrf = sign_in(owner, "amina")
    listing = owner.get("/community/messages")
    assert SUBJECT in listing.text and "Jean Dupont" in listing.text
    thread = owner.get(f"/community/messages/{made}")
    assert f'action="/community/messages/{made}/reply"' in thread.text
    assert f'action="/community/messages/{made}/report"' in thread.text
    _no_address(listing.text, thread.text)
    empty = owner.post(f"/community/messages/{made}/reply", data={"csrf": owner_csrf, "body": ""})
    assert empty.status_code == 422 and _count(Message) == before + 1
    replied = owner.post(
        f"/community/messages/{made}/reply",
        data={"csrf": owner_csrf, "body": "Gladly, next week."},
        follow_redirects=False,
    )
    assert replied.status_code == 303
    shown = writer.get(replied.headers["location"].split("?")[0])
    assert "Gladly, next week." in shown.text and "Could we exchange" in shown.text
    reported = owner.post(
        f"/community/messages/{made}/report",
        data={"csrf": owner_csrf, "reason": "Unwanted advertising"},
        follow_redirects=False,
    )
    assert reported.status_code == 303
    assert any("Unwanted advertising" in b for _, b, _ in _notices(people["curator"].username))

    third = TestClient(web.app)
    sign_in(third, people["focal_mex"].username)
    assert third.get(f"/community/messages/{made}").status_code == 404


def test_the_export_holds_the_community_data_and_erasure_keeps_the_other_sides_messages(
    web: TestClient, people: dict[str, Person], members: dict[str, Any]
) -> None:
    owner, writer, organization = members["owner"], members["writer"], members["organization"]
    made = _send(web, writer, organization).json()["id"]
    reply = web.post(
        f"{API}/messages/{made}/reply", json={"body": "Gladly."}, headers=owner.headers
    ).json()["id"]
    consultation = web.post(
        f"{API}/consultations", json=CONSULTATION, headers=people["curator"].headers
    ).json()["id"]
    contribution = web.post(
        f"{API}/consultations/{consultation}/contributions",
        json=CONTRIBUTION,
        headers=writer.headers,
    ).json()["id"]
    event = web.post(
        f"{API}/events",
        json={
            "title": "Recruitment fees roundtable",
            "organizer": "Jean's association",
            "scope": "local",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-01",
            "modality": "online",
        },
        headers=writer.headers,
    )
    assert event.status_code == 201, event.text
    with open_context() as ctx:
        jean = ctx.session.scalar(select(User.id).where(User.username == "jean"))
        assert jean is not None
        stamp = datetime(2026, 1, 5, 9, 0)
        ctx.session.add(
            Follow(
                user_id=jean,
                key="objective:6",
                objective="objective:6",
                created_at=stamp,
                digest_from=stamp,
            )
        )
        ctx.session.add(
            Digest(user_id=jean, period_from=stamp, period_to=stamp, news=3, sent_at=stamp)
        )

    exported = web.get("/api/v1/me", headers=writer.headers)
    assert exported.status_code == 200
    community = exported.json()["community"]
    assert [(m["id"], m["body"]) for m in community["messages_sent"]] == [(made, BODY)]
    assert [(m["id"], m["body"]) for m in community["messages_received"]] == [(reply, "Gladly.")]
    assert [f["key"] for f in community["follows"]] == ["objective:6"]
    assert [c["id"] for c in community["contributions"]] == [contribution]
    _no_address(json.dumps(community))
    owned = web.get("/api/v1/me", headers=owner.headers).json()["community"]
    assert [o["id"] for o in owned["organizations"]] == [organization]

    assert web.delete("/api/v1/me", headers=writer.headers).status_code == 204
    kept = web.get(f"{API}/messages/{made}", headers=owner.headers)
    assert kept.status_code == 200 and kept.json()["body"] == BODY
    assert kept.json()["sender"] == "a former member"
    sent = web.get(f"{API}/messages", params={"box": "sent"}, headers=owner.headers).json()
    assert [(m["id"], m["recipient"]) for m in sent] == [(reply, "a former member")]
    assert "Jean Dupont" not in web.get(f"{API}/messages", headers=owner.headers).text
    with open_context() as ctx:
        assert ctx.session.scalar(select(func.count()).where(Follow.user_id == jean)) == 0
        assert ctx.session.scalar(select(func.count()).where(Digest.user_id == jean)) == 0
        row = ctx.session.get(Contribution, contribution)
        assert row is not None and row.created_by == f"deleted-{jean}"
        held = ctx.session.get(Event, event.json()["id"])  # still public, without the person
        assert held is not None and (held.owner_id, held.created_by) == (None, f"deleted-{jean}")
    refused = web.post(
        f"{API}/messages/{made}/reply", json={"body": "Still there?"}, headers=owner.headers
    )
    assert refused.status_code == 409

    assert web.delete("/api/v1/me", headers=owner.headers).status_code == 204
    with open_context() as ctx:
        found = ctx.session.get(Organization, organization)
        assert found is not None and found.owner_id is None
    assert _send(web, people["partner"], organization).status_code == 409


def test_an_organization_no_account_receives_for_offers_no_message_form(
    web: TestClient, people: dict[str, Person]
) -> None:
    """Registered from the command line (as the demo's are), no one receives its messages:
    its page says so rather than offer a form whose message would be refused (409)."""
    from gcmhub.community.organizations import organization_register, organization_review
    from gcmhub.community.schemas import OrganizationReview, OrganizationWrite

    with open_context() as ctx:
        made = organization_register(ctx, OrganizationWrite(**ORGANIZATION))
        organization_review(ctx, made.id, OrganizationReview(decision="approved"))
    browser = TestClient(web.app)
    sign_in(browser, people["partner"].username)
    page = browser.get(f"/community/organizations/{made.id}")
    assert page.status_code == 200
    assert "No account on the platform receives this organization" in page.text
    assert 'name="body"' not in page.text
    refused = web.post(
        f"/api/v1/community/organizations/{made.id}/messages",
        json={"subject": SUBJECT, "body": BODY},
        headers=people["partner"].headers,
    )
    assert refused.status_code == 409
