"""Notices by email through a real local SMTP server, overdue reminders, and the commands."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts import actions
from gcmhub.hub.models import Provider, SupportRequest
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from tests.accounts.conftest import Person
from tests.hub.conftest import file_request


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


def test_steps_send_email_to_those_following_and_only_after_commit(
    inbox: Inbox, web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    with open_context() as ctx:
        actions.user_add(
            ctx, "secretary", ["curator"], email="secretary@example.org", password="x" * 12
        )
    made = file_request(
        web,
        people["focal_mex"],
        contact_name="Ana",
        contact_email="ana@example.org",
        contact_consent=True,
    )
    assert [m["To"] for m in inbox.messages] == ["secretary@example.org"]
    assert made["id"] in inbox.messages[0]["Subject"]
    assert f"/hub/requests/{made['id']}" in inbox.messages[0].get_payload()
    # A refused step sends nothing.
    refused = web.post(
        f"/api/v1/hub/requests/{made['id']}/steps",
        json={"to": "closed"},
        headers=people["curator"].headers,
    )
    assert refused.status_code == 409
    assert len(inbox.messages) == 1
    # A step reaches the contact person (who has no account) by email.
    triaged = web.post(
        f"/api/v1/hub/requests/{made['id']}/steps",
        json={"to": "triaged", "note": "We will propose partners within ten days."},
        headers=people["curator"].headers,
    )
    assert triaged.status_code == 200
    assert inbox.messages[-1]["To"] == "ana@example.org"
    assert "ten days" in inbox.messages[-1].get_payload()
    # The in-app notice is there for the secretary too, and can be marked read.
    with open_context() as ctx:
        from gcmhub.accounts.notices import notice_unread
        from gcmhub.context import Actor

        ctx.actor = Actor("secretary", frozenset({"curator"}), user_id=_user_id("secretary"))
        assert notice_unread(ctx) == 1


def _user_id(username: str) -> int:
    from gcmhub.accounts.models import User

    with open_context() as ctx:
        found = ctx.session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return int(found)


def test_a_relay_that_is_down_loses_nothing(
    monkeypatch: pytest.MonkeyPatch, web: TestClient, people: dict[str, Person]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there
    monkeypatch.setenv("GCMHUB_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GCMHUB_SMTP_PORT", str(port))
    get_settings.cache_clear()
    try:
        with open_context() as ctx:
            actions.user_add(ctx, "sec", ["curator"], email="sec@example.org", password="x" * 12)
        made = file_request(web, people["focal_mex"])
    finally:
        monkeypatch.delenv("GCMHUB_SMTP_HOST")
        get_settings.cache_clear()
    assert (
        web.get(f"/api/v1/hub/requests/{made['id']}", headers=people["curator"].headers).status_code
        == 200
    )


def test_notices_through_the_api(web: TestClient, people: dict[str, Person]) -> None:
    file_request(web, people["focal_mex"])
    curator = people["curator"].headers
    notices = web.get("/api/v1/me/notices?unread=true", headers=curator).json()
    assert len(notices) == 1 and notices[0]["link"].startswith("/hub/requests/")
    assert web.post("/api/v1/me/notices/read", headers=curator).status_code == 204
    assert web.get("/api/v1/me/notices?unread=true", headers=curator).json() == []
    assert web.get("/api/v1/me/notices").status_code == 401


def test_overdue_requests_are_flagged_and_reminded_once(
    web: TestClient, people: dict[str, Person], cli: Any
) -> None:
    ref = file_request(web, people["focal_mex"])["id"]
    with open_context() as ctx:
        request = ctx.session.scalar(select(SupportRequest).where(SupportRequest.ref == ref))
        assert request is not None and request.due_at is not None
        request.due_at -= timedelta(days=6)  # the 5-day triage deadline has passed
    curator = people["curator"].headers
    shown = web.get(f"/api/v1/hub/requests/{ref}", headers=curator).json()
    assert shown["overdue"] is True
    late = web.get("/api/v1/hub/requests?overdue=true", headers=curator).json()
    assert [r["id"] for r in late["requests"]] == [ref]
    first = cli("hub", "remind", "--json")
    assert first.code == 0 and json.loads(first.out)["reminded"] == [ref]
    again = cli("hub", "remind", "--json")
    assert json.loads(again.out)["reminded"] == []


PROVIDER_LINE = {
    "id": "p-900",
    "kind": "organization",
    "name": "Regional migrant workers' union network",
    "organization_type": "trade_union",
    "description": "Trains union organisers to reach migrant domestic workers and refer "
    "abuse cases to labour inspectors.",
    "objectives": [6, 7],
    "support_types": ["training"],
    "regions": ["South-eastern Asia"],
    "languages": ["en"],
}


def _providers() -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(Provider)) or 0)


def test_loading_providers_is_all_or_nothing(tmp_path: Path, cli: Any) -> None:
    good = tmp_path / "providers.jsonl"
    second = {**PROVIDER_LINE, "id": "p-901", "regions": ["Atlantis"]}
    good.write_text(json.dumps(PROVIDER_LINE) + "\n" + json.dumps(second) + "\n")
    failed = cli("hub", "load", str(good), "--consent")
    assert failed.code == 2
    assert "providers.jsonl line 2" in failed.err and "Atlantis" in failed.err
    assert _providers() == 0
    good.write_text(json.dumps(PROVIDER_LINE) + "\n")
    loaded = cli("hub", "load", str(good), "--consent", "--json")
    assert loaded.code == 0 and json.loads(loaded.out) == {"loaded": 1}
    twice = cli("hub", "load", str(good), "--consent")
    assert twice.code == 2 and "exists already" in twice.err
    assert _providers() == 1
    listed = json.loads(cli("hub", "providers", "--objective", "7", "--json").out)
    assert [p["id"] for p in listed["providers"]] == ["p-900"]
    assert listed["providers"][0]["regions"][0]["code"] == "035"
