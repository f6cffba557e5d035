"""The community's pages: the directory, registration and review, consultations, moderation."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.community.models import Consultation, Contribution, Organization
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings
from gcmhub.web.limits import CONTRIBUTIONS
from tests.accounts.conftest import Person, sign_in
from tests.community.samples import CONSULTATION, CONTRIBUTION, ORGANIZATION

API = "/api/v1/community"
FORM = {
    "name": "Association des Haïtiens de Montréal",
    "kind": "diaspora",
    "description": "Newcomers' reception since 1998.",
    "origin_countries": "Haiti",
    "residence_countries": "CAN",
    "city": "Montréal",
    "objectives": ["16", "19"],
    "languages": ["fr"],
    "other_languages": "ht",
    "offers": "Reception of newcomers.",
    "seeks": "Partners in Port-au-Prince.",
}


def _count(table: Any, *where: Any) -> int:
    with open_context() as ctx:
        query = select(func.count()).select_from(table).where(*where)
        return int(ctx.session.scalar(query) or 0)


def _browser(web: TestClient, person: Person) -> tuple[TestClient, str]:
    """A browser signed in as the person, with its session's form token."""
    client = TestClient(web.app)
    return client, sign_in(client, person.username)


def _register(web: TestClient, person: Person, **extra: Any) -> int:
    answer = web.post(
        f"{API}/organizations", json={**ORGANIZATION, **extra}, headers=person.headers
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _approve(web: TestClient, people: dict[str, Person], ref: int) -> None:
    answer = web.post(
        f"{API}/organizations/{ref}/review",
        json={"decision": "approved"},
        headers=people["curator"].headers,
    )
    assert answer.status_code == 200, answer.text


def _consultation(web: TestClient, people: dict[str, Person], **extra: Any) -> int:
    body = {**CONSULTATION, "moderator": people["focal_mex"].username, **extra}
    answer = web.post(f"{API}/consultations", json=body, headers=people["curator"].headers)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _contribute(web: TestClient, person: Person, ref: int, **extra: Any) -> int:
    answer = web.post(
        f"{API}/consultations/{ref}/contributions",
        json={**CONTRIBUTION, **extra},
        headers=person.headers,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_the_public_sees_approved_organizations_only(
    web: TestClient, people: dict[str, Person]
) -> None:
    approved = _register(web, people["partner"], contact_name="Awa Diop", contact_consent=True)
    _approve(web, people, approved)
    pending = _register(web, people["partner"], name="Waiting association", kind="academia")

    directory = web.get("/community/organizations")
    assert directory.status_code == 200
    assert ORGANIZATION["name"] in directory.text and "Waiting association" not in directory.text
    assert "Senegal" in directory.text and "France" in directory.text  # names, not codes
    assert "/community/organizations/pending" not in directory.text  # curators only
    for query, shown in (
        ("kind=diaspora", True),
        ("kind=academia", False),
        ("country=SEN", True),
        ("objective=19", True),
        ("objective=2", False),
        ("language=wo", True),
        ("language=ar", False),
    ):
        found = web.get(f"/community/organizations?{query}")
        assert found.status_code == 200, (query, found.text[:300])
        assert (ORGANIZATION["name"] in found.text) is shown, query
    assert web.get("/community/organizations?kind=spies").status_code == 400
    assert web.get("/community/organizations?colour=red").status_code == 400

    profile = web.get(f"/community/organizations/{approved}")
    assert profile.status_code == 200
    assert "Awa Diop" in profile.text and "Mentoring for new arrivals." in profile.text
    assert f"/community/organizations/{approved}/edit" not in profile.text  # not the public's
    assert web.get(f"/community/organizations/{pending}").status_code == 404
    assert web.get("/community/organizations/nine").status_code == 404

    owner, _ = _browser(web, people["partner"])
    own = owner.get(f"/community/organizations/{pending}")
    assert own.status_code == 200 and "Pending: a curator will review it" in own.text
    assert f"/community/organizations/{pending}/edit" in own.text
    other, _ = _browser(web, people["focal_fra"])
    assert other.get(f"/community/organizations/{pending}").status_code == 404

    home = web.get("/community")
    assert home.status_code == 200
    assert "/community/organizations?kind=diaspora" in home.text  # one approved diaspora
    assert "/community/organizations?kind=academia" not in home.text  # pending: not counted
    for part in ("events", "pledges", "connections", "messages"):
        assert f'href="/community/{part}"' in home.text


def test_registration_through_the_form_creates_a_pending_organization(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert web.get("/community/organizations/new", follow_redirects=False).status_code == 303
    client, csrf = _browser(web, people["partner"])
    form = client.get("/community/organizations/new")
    assert form.status_code == 200 and 'name="contact_consent"' in form.text
    before = _count(Organization)

    refused = client.post(
        "/community/organizations/new",
        data={**FORM, "contact_name": "Jean Pierre", "csrf": csrf},
    )
    assert refused.status_code == 422
    assert "contact_consent" in refused.text and "Jean Pierre" in refused.text  # kept
    assert 'value="Association des Haïtiens de Montréal"' in refused.text
    located = client.post(
        "/community/organizations/new", data={**FORM, "city": "5 rue Jarry", "csrf": csrf}
    )
    assert located.status_code == 422 and "city: a city at most" in located.text
    unknown = client.post(
        "/community/organizations/new", data={**FORM, "kind": "club", "csrf": csrf}
    )
    assert unknown.status_code == 422 and "kind: Input should be" in unknown.text
    assert _count(Organization) == before

    made = client.post(
        "/community/organizations/new", data={**FORM, "csrf": csrf}, follow_redirects=False
    )
    assert made.status_code == 303, made.text[:500]
    assert made.headers["location"].endswith("?done=registered")
    shown = client.get(made.headers["location"])
    assert "Pending: a curator will review it" in shown.text
    with open_context() as ctx:
        row = ctx.session.scalars(select(Organization).order_by(Organization.id.desc())).first()
        assert row is not None and row.status == "pending"
        assert row.origin_countries == ["HTI"] and row.residence_countries == ["CAN"]
        assert row.objectives == ["objective:16", "objective:19"]
        assert row.languages == ["fr", "ht"] and row.contact_name is None

    public = TestClient(web.app)
    public.get("/login")
    token = public.cookies.get("gcmhub_csrf") or ""
    anonymous = public.post("/community/organizations/new", data={**FORM, "csrf": token})
    assert anonymous.status_code == 401
    assert _count(Organization) == before + 1


def test_a_contact_without_consent_is_not_shown(web: TestClient, people: dict[str, Person]) -> None:
    ref = _register(web, people["partner"], contact_name="Awa Diop", contact_consent=True)
    _approve(web, people, ref)
    assert "Awa Diop" in web.get(f"/community/organizations/{ref}").text
    with open_context() as ctx:  # consent withdrawn, the name not yet erased
        row = ctx.session.get(Organization, ref)
        assert row is not None
        row.contact_consent_at = None
    for page in (f"/community/organizations/{ref}", "/community/organizations"):
        answer = web.get(page)
        assert answer.status_code == 200 and "Awa Diop" not in answer.text
    curator, _ = _browser(web, people["curator"])
    assert "Awa Diop" not in curator.get(f"/community/organizations/{ref}").text


def test_curators_approve_and_reject_from_the_queue(
    web: TestClient, people: dict[str, Person]
) -> None:
    first = _register(web, people["partner"])
    second = _register(web, people["partner"], name="Second association")
    partner, partner_csrf = _browser(web, people["partner"])
    assert partner.get("/community/organizations/pending").status_code == 403
    assert web.get("/community/organizations/pending", follow_redirects=False).status_code == 303

    client, csrf = _browser(web, people["curator"])
    queue = client.get("/community/organizations/pending")
    assert queue.status_code == 200
    assert f'action="/community/organizations/{first}/review"' in queue.text
    assert "Second association" in queue.text
    assert "2 organizations waiting for review" in client.get("/community/organizations").text

    unexplained = client.post(
        f"/community/organizations/{second}/review",
        data={"decision": "rejected", "note": " ", "csrf": csrf},
    )
    assert unexplained.status_code == 422 and "note: say why" in unexplained.text
    assert _count(Organization, Organization.status == "pending") == 2
    refused = partner.post(
        f"/community/organizations/{first}/review",
        data={"decision": "approved", "csrf": partner_csrf},
    )
    assert refused.status_code == 403

    approved = client.post(
        f"/community/organizations/{first}/review",
        data={"decision": "approved", "csrf": csrf},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    rejected = client.post(
        f"/community/organizations/{second}/review",
        data={
            "decision": "rejected",
            "note": "Not an organization working on migration.",
            "csrf": csrf,
        },
    )
    assert rejected.status_code == 200 and "No organization is waiting" in rejected.text
    assert ORGANIZATION["name"] in web.get("/community/organizations").text
    own = partner.get(f"/community/organizations/{second}")
    assert "Rejected" in own.text and "Not an organization working on migration." in own.text


def test_a_closed_consultation_says_so_and_stores_nothing(
    web: TestClient, people: dict[str, Person]
) -> None:
    partner, csrf = _browser(web, people["partner"])
    assert partner.get("/community/consultations/new").status_code == 403
    curator, curator_csrf = _browser(web, people["curator"])
    assert curator.get("/community/consultations/new").status_code == 200
    form = {
        "title": "Remittances in 2020",
        "questions": "What did transfers cost?\n\nWhat would have helped?\n",
        "languages": ["en", "fr"],
        "opens_on": "2020-03-31",
        "closes_on": "2020-01-01",
        "csrf": curator_csrf,
    }
    backwards = curator.post("/community/consultations/new", data=form)
    assert backwards.status_code == 422 and "closes_on: the consultation closes" in backwards.text
    assert 'value="Remittances in 2020"' in backwards.text and _count(Consultation) == 0
    made = curator.post(
        "/community/consultations/new",
        data={**form, "opens_on": "2020-01-01", "closes_on": "2020-03-31"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:500]
    ref = int(made.headers["location"].rsplit("/", 1)[1])
    with open_context() as ctx:
        row = ctx.session.get(Consultation, ref)
        assert row is not None and row.languages == ["en", "fr"]
        assert row.questions == ["What did transfers cost?", "What would have helped?"]

    public = web.get(f"/community/consultations/{ref}")
    assert public.status_code == 200
    assert "closed on Mar 31, 2020" in public.text
    assert f'action="/community/consultations/{ref}/contributions"' not in public.text
    listing = web.get("/community/consultations")
    assert f"/community/consultations/{ref}/summary" in listing.text

    before = _count(Contribution)
    late = partner.post(
        f"/community/consultations/{ref}/contributions",
        data={"question": "1", "text": "Too late, but here it is.", "csrf": csrf},
    )
    assert late.status_code == 409
    assert "does not take contributions now" in late.text and "2020-03-31" in late.text
    assert _count(Contribution) == before


def test_contributing_moderating_and_reporting_through_the_page(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _consultation(web, people)
    page = web.get(f"/community/consultations/{ref}")
    assert "What stops diaspora investment?" in page.text and "Sign in to contribute" in page.text

    author, csrf = _browser(web, people["partner"])
    empty = author.post(
        f"/community/consultations/{ref}/contributions",
        data={"question": "1", "text": "", "csrf": csrf},
    )
    assert empty.status_code == 422 and _count(Contribution) == 0
    posted = author.post(
        f"/community/consultations/{ref}/contributions",
        data={"question": "2", "text": CONTRIBUTION["text"], "csrf": csrf},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text[:500]
    with open_context() as ctx:
        contribution = ctx.session.scalars(select(Contribution)).one()
        number, language = contribution.id, contribution.language
    shown = author.get(posted.headers["location"])
    assert f'id="contribution-{number}"' in shown.text and "Language: English" in shown.text
    assert language == "en"

    moderator, mod_csrf = _browser(web, people["focal_mex"])
    url = f"/community/contributions/{number}/moderation"
    unexplained = moderator.post(url, data={"action": "hide", "reason": "", "csrf": mod_csrf})
    assert unexplained.status_code == 422 and "reason: String should have" in unexplained.text
    assert _count(Contribution, Contribution.status == "hidden") == 0
    outsider = author.post(url, data={"action": "hide", "reason": "Not mine", "csrf": csrf})
    assert outsider.status_code == 403
    hidden = moderator.post(url, data={"action": "hide", "reason": "Advertising", "csrf": mod_csrf})
    assert hidden.status_code == 200 and "Hidden from the public" in hidden.text
    assert CONTRIBUTION["text"] in hidden.text and "Advertising" in hidden.text
    assert CONTRIBUTION["text"] not in web.get(f"/community/consultations/{ref}").text
    assert CONTRIBUTION["text"] not in author.get(f"/community/consultations/{ref}").text

    moderator.post(url, data={"action": "restore", "reason": "Checked", "csrf": mod_csrf})
    reader, reader_csrf = _browser(web, people["focal_fra"])
    assert CONTRIBUTION["text"] in reader.get(f"/community/consultations/{ref}").text
    reported = reader.post(
        f"/community/contributions/{number}/report",
        data={"reason": "Threatens another member", "csrf": reader_csrf},
    )
    assert reported.status_code == 200 and "the report is sent" in reported.text
    with open_context() as ctx:
        row = ctx.session.get(Contribution, number)
        assert row is not None and row.moderation[-1]["reason"] == "Threatens another member"


def test_a_burst_shows_a_clear_message_and_stores_nothing(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _consultation(web, people)
    client, csrf = _browser(web, people["partner"])
    with open_context() as ctx:
        from gcmhub.accounts.models import User

        user_id = ctx.session.scalar(
            select(User.id).where(User.username == people["partner"].username)
        )
    for _ in range(get_settings().contribution_rate):
        CONTRIBUTIONS.hit(f"user:{user_id}", get_settings().contribution_rate, "contributions")
    burst = client.post(
        f"/community/consultations/{ref}/contributions",
        data={"question": "1", "text": "One more thought on bonds.", "csrf": csrf},
    )
    assert burst.status_code == 429
    assert "Please wait a minute" in burst.text and "One more thought on bonds." in burst.text
    assert _count(Contribution) == 0


def test_the_summary_page_counts_and_links_each_contribution(
    web: TestClient, people: dict[str, Person]
) -> None:
    ref = _consultation(web, people)
    first = _contribute(web, people["partner"], ref)
    second = _contribute(web, people["focal_mex"], ref, question=2)
    hidden = _contribute(web, people["focal_fra"], ref, question=2)
    web.post(
        f"{API}/contributions/{hidden}/moderation",
        json={"action": "hide", "reason": "Spam"},
        headers=people["curator"].headers,
    )
    assert web.get(f"/community/consultations/{ref}/summary").status_code == 409
    with open_context() as ctx:
        row = ctx.session.get(Consultation, ref)
        assert row is not None
        row.closes_on = date(2020, 12, 31)
    summary = web.get(f"/community/consultations/{ref}/summary")
    assert summary.status_code == 200
    text = summary.text
    assert "2 contributions are counted" in text and "1 hidden by moderation" in text
    for n in (first, second):
        assert f'href="/community/consultations/{ref}#contribution-{n}"' in text
    assert f"#contribution-{hidden}" not in text
    assert "English" in text
    assert f"{API}/consultations/{ref}/summary?format=csv" in text
