"""The connection hub's pages: the request form, the request page, the queue, providers, notices.

Forms post with a signed-in session's CSRF token, as a browser does; each calls the same
action as the API, so refusals change nothing and show on the page they were sent from.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gcmhub.accounts.models import AuditEntry, Notification, User
from gcmhub.hub.models import Engagement, Provider, RequestEvent, SupportRequest
from gcmhub.hub.views import STAGES
from gcmhub.hub.workflow import PARA_43A
from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, sign_in
from tests.hub.conftest import NEED, file_request


class Page(HTMLParser):
    """What the tests read of a page: fields and their labels, links, forms, table headers."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.links: list[str] = []
        self.forms: list[str] = []
        self.landmarks: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.fields.append(found)
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag == "form" and found.get("method") == "post":
            self.forms.append(str(found.get("action")))
        if tag in ("main", "nav", "header", "footer"):
            self.landmarks.add(tag)

    def unlabelled(self) -> list[dict[str, str | None]]:
        return [f for f in self.fields if f.get("id") not in self.labels]


def _count(model: Any) -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(model)) or 0)


def _browser(web: TestClient, person: Person | None) -> tuple[TestClient, str]:
    """A fresh browser, signed in as `person` (or the public); return it and its CSRF token."""
    client = TestClient(web.app)
    if person is None:
        client.get("/login")
        return client, client.cookies.get("gcmhub_csrf") or ""
    return client, sign_in(client, person.username)


def _post(client: TestClient, url: str, csrf: str, data: Any = None, **extra: Any) -> Any:
    """Post a form as a browser does (a name given twice sends both values)."""
    fields = list(data.items()) if isinstance(data, dict) else list(data or [])
    form: dict[str, list[str]] = {"csrf": [csrf]}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    return client.post(url, data=form, follow_redirects=False, **extra)


def _state(ref: str) -> str:
    with open_context() as ctx:
        found = ctx.session.scalar(select(SupportRequest.state).where(SupportRequest.ref == ref))
    return str(found)


FORM = [
    ("country", "MEX"),
    ("institution", "Secretaría del Trabajo"),
    ("need", NEED),
    ("support_types", "policy_advice"),
    ("support_types", "training"),
    ("languages", "es"),
    ("modalities", "remote"),
    ("start", "2027-01-15"),
    ("end", "2027-06-30"),
    ("confidentiality", "public"),
    ("contact_name", "Ana Pérez"),
    ("contact_email", "ana@example.org"),
    ("contact_consent", "yes"),
]


def test_the_para_43a_stages_are_the_workflows_marked_for_translation() -> None:
    assert STAGES == PARA_43A


def test_the_request_form_labels_every_field_and_preselects_the_focal_points_country(
    web: TestClient, people: dict[str, Person]
) -> None:
    client, _ = _browser(web, people["focal_mex"])
    answer = client.get("/hub/requests/new")
    assert answer.status_code == 200
    page = Page(answer.text)
    assert page.unlabelled() == []
    assert {"main", "nav", "header", "footer"} <= page.landmarks
    names = {f.get("name") for f in page.fields}
    assert {
        "country",
        "institution",
        "need",
        "title",
        "objectives",
        "support_types",
        "start",
        "end",
        "languages",
        "modalities",
        "confidentiality",
        "contact_name",
        "contact_email",
        "contact_consent",
    } <= names
    assert sum(1 for f in page.fields if f.get("name") == "objectives") == 23
    assert re.search(r'<option value="MEX"\s+selected>', answer.text)
    assert "FRA" not in answer.text  # a focal point asks for its own country
    assert "any UN language" in answer.text and "we suggest them from your text" in answer.text
    for explanation in ("shown to everyone", "without the institution and contact"):
        assert explanation in answer.text
    # The public is sent to sign in; a partner is told who asks.
    assert web.get("/hub/requests/new", follow_redirects=False).status_code == 303
    partner, _ = _browser(web, people["partner"])
    told = partner.get("/hub/requests/new")
    assert told.status_code == 403 and "focal points" in told.text


def test_a_focal_point_files_a_request_through_the_form(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    client, csrf = _browser(web, people["focal_mex"])
    answer = _post(client, "/hub/requests/new", csrf, FORM)
    assert answer.status_code == 303, answer.text[:500]
    location = answer.headers["location"]
    assert re.fullmatch(r"/hub/requests/R-\d{4}-\d{4}-[0-9a-f]{4}\?done=filed", location)
    page = client.get(location)
    assert page.status_code == 200
    assert "Your request is filed." in page.text
    assert "Submitted" in page.text and "(i) advise on, assess and process" in page.text
    assert "Secretaría del Trabajo" in page.text and "ana@example.org" in page.text
    assert "Objectives suggested from the text of the need" in page.text
    assert "Confirm these objectives" in page.text  # the country may confirm them
    ref = location.split("/")[-1].split("?")[0]
    with open_context() as ctx:
        stored = ctx.session.scalar(select(SupportRequest).where(SupportRequest.ref == ref))
        assert stored is not None
        assert stored.support_types == ["policy_advice", "training"]
        assert stored.contact_consent_at is not None and stored.end is not None
    # Confirming the suggested objectives through the form.
    confirmed = _post(client, f"/hub/requests/{ref}/objectives", csrf, [("objectives", "6")])
    assert confirmed.status_code == 303
    assert "The objectives are confirmed." in client.get(confirmed.headers["location"]).text
    with open_context() as ctx:
        stored = ctx.session.scalar(select(SupportRequest).where(SupportRequest.ref == ref))
        assert stored is not None and stored.objectives == ["objective:6"]


def test_a_focal_point_asking_for_another_country_sees_why_and_nothing_is_stored(
    web: TestClient, people: dict[str, Person]
) -> None:
    client, csrf = _browser(web, people["focal_mex"])
    before = (_count(SupportRequest), _count(AuditEntry), _count(RequestEvent))
    fields = [(k, "FRA" if k == "country" else v) for k, v in FORM]
    answer = _post(client, "/hub/requests/new", csrf, fields)
    assert answer.status_code == 403
    assert "request was not filed" in answer.text and "focal-mex" in answer.text
    assert 'value="Secretaría del Trabajo"' in answer.text  # what was typed is kept
    assert NEED in answer.text and "ana@example.org" in answer.text
    assert (_count(SupportRequest), _count(AuditEntry), _count(RequestEvent)) == before
    # An invalid form (no kind of support) is a 422 with the field named, also nothing stored.
    fields = [(k, v) for k, v in FORM if k != "support_types"]
    invalid = _post(client, "/hub/requests/new", csrf, fields)
    assert invalid.status_code == 422 and "support_types" in invalid.text
    assert (_count(SupportRequest), _count(AuditEntry), _count(RequestEvent)) == before
    # Without the CSRF token of the session the form is refused.
    forged = client.post("/hub/requests/new", data=dict(FORM), follow_redirects=False)
    assert forged.status_code == 403
    assert _count(SupportRequest) == before[0]


def test_the_curator_sees_the_shortlist_with_reasons_and_the_public_only_the_plan(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    made = file_request(web, people["focal_mex"])
    ref = made["id"]
    curator, csrf = _browser(web, people["curator"])
    page = curator.get(f"/hub/requests/{ref}")
    assert page.status_code == 200
    text = page.text
    assert "What the hub proposes" in text
    assert "Integrated plan" in text and 'class="integrated"' in text
    assert "works on objective 6" in text  # a reason, in words
    assert "/hub/providers/p-recruit" in text
    assert "Adopt the proposed plan" in text and "Mark as triaged" in text
    assert Page(text).unlabelled() == []
    # The curator adopts the plan: its providers join as proposed, shown in the plan table.
    adopted = _post(curator, f"/hub/requests/{ref}/plan", csrf)
    assert adopted.status_code == 303
    text = curator.get(adopted.headers["location"]).text
    assert 'id="plan"' in text and "The proposed plan is adopted" in text
    with open_context() as ctx:
        planned = set(ctx.session.scalars(select(Engagement.status)))
    assert planned == {"proposed"}
    # The public sees the plan but not the shortlist, the reasons or the forms.
    public = web.get(f"/hub/requests/{ref}")
    assert public.status_code == 200
    assert 'id="plan"' in public.text and "/hub/providers/p-recruit" in public.text
    assert "What the hub proposes" not in public.text
    assert "works on objective" not in public.text
    assert "Integrated plan" not in public.text
    assert "/hub/requests/" + ref + "/steps" not in public.text
    assert "ana@example.org" not in public.text
    # Another country's focal point sees what the public sees.
    france, _ = _browser(web, people["focal_fra"])
    assert "What the hub proposes" not in france.get(f"/hub/requests/{ref}").text


def test_a_step_that_is_not_allowed_shows_the_allowed_ones_and_changes_nothing(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    ref = file_request(web, people["focal_mex"])["id"]
    curator, csrf = _browser(web, people["curator"])
    before = (_count(AuditEntry), _count(RequestEvent))
    answer = _post(curator, f"/hub/requests/{ref}/steps", csrf, {"to": "resolved"})
    assert answer.status_code == 409
    assert "cannot become resolved" in answer.text
    allowed = re.search(r'<ul class="allowed-steps"[^>]*>(.*?)</ul>', answer.text, re.S)
    assert allowed is not None
    assert re.findall(r"<li>([^<]+)</li>", allowed.group(1)) == [
        "Triaged",
        "Declined",
        "Withdrawn",
    ]
    assert (_count(AuditEntry), _count(RequestEvent)) == before
    assert _state(ref) == "submitted"
    # Matching needs a provider in the plan: a 409 too, shown on the page, nothing stored.
    assert _post(curator, f"/hub/requests/{ref}/steps", csrf, {"to": "triaged"}).status_code == 303
    refused = _post(curator, f"/hub/requests/{ref}/steps", csrf, {"to": "matched"})
    assert refused.status_code == 409 and "no provider in its plan" in refused.text
    # Declining needs a note (422).
    bare = _post(curator, f"/hub/requests/{ref}/steps", csrf, {"to": "declined"})
    assert bare.status_code == 422 and "say why" in bare.text
    assert _state(ref) == "triaged"
    # The country may withdraw, but not triage.
    country, token = _browser(web, people["focal_mex"])
    page = country.get(f"/hub/requests/{ref}").text
    assert "Withdraw the request" in page and "Mark as matched" not in page
    refused = _post(country, f"/hub/requests/{ref}/steps", token, {"to": "matched"})
    assert refused.status_code == 403 and _state(ref) == "triaged"


def test_a_request_goes_from_triage_to_a_published_solution_through_the_forms(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    ref = file_request(web, people["focal_mex"])["id"]
    curator, csrf = _browser(web, people["curator"])
    country, token = _browser(web, people["focal_mex"])

    def ok(client: TestClient, path: str, key: str, data: Any = None, **extra: Any) -> None:
        answer = _post(client, f"/hub/requests/{ref}/{path}", key, data, **extra)
        assert answer.status_code == 303, (path, answer.status_code, answer.text[:800])

    ok(curator, "steps", csrf, {"to": "triaged", "note": "Within the mandate."})
    ok(curator, "assign", csrf, {"assignee": "curator"})
    ok(curator, "engage", csrf, [("provider", "p-recruit"), ("parts", "objective:6")])
    ok(
        curator,
        "engage",
        csrf,
        [("provider", "p-recruit"), ("status", "confirmed"), ("parts", "objective:6")],
    )
    ok(curator, "steps", csrf, {"to": "matched"})
    ok(country, "fund", token)
    ok(curator, "steps", csrf, {"to": "in_progress"})
    ok(curator, "comment", csrf, {"text": "Only for us.", "internal": "true"})
    ok(country, "comment", token, {"text": "Thank you, the team is ready."})
    ok(country, "attachments", token, files={"file": ("terms.txt", b"Terms of reference")})
    ok(curator, "steps", csrf, {"to": "resolved"})
    page = country.get(f"/hub/requests/{ref}").text
    assert "Rate the support and close the request" in page
    assert 'name="provider_rating:p-recruit"' in page
    assert "Only for us." not in page  # the internal note stays with the secretariat
    assert "Thank you, the team is ready." in page and "terms.txt" in page
    download = re.search(r'href="(/api/v1/hub/requests/[^"]+/attachments/\d+)"', page)
    assert download is not None
    assert country.get(download.group(1)).content == b"Terms of reference"
    ok(
        country,
        "steps",
        token,
        {
            "to": "closed",
            "rating": "4",
            "provider_rating:p-recruit": "5",
            "lessons": "Start early.",
        },
    )
    ok(curator, "publish", csrf)
    with open_context() as ctx:
        stored = ctx.session.scalar(select(SupportRequest).where(SupportRequest.ref == ref))
        assert stored is not None
        assert (stored.state, stored.rating, stored.lessons) == ("closed", 4, "Start early.")
        assert stored.proposal_ref and stored.solution_ref
        rating = ctx.session.scalar(select(Engagement.rating))
    assert rating == 5
    page = curator.get(f"/hub/requests/{ref}").text
    assert "Only for us." in page and f"/items/{stored.solution_ref}" in page
    assert "4 out of 5" in page and "5 / 5" in page


def test_the_queue_filters_by_state_objective_and_overdue_and_links_downloads(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    first = file_request(web, people["focal_mex"])["id"]
    second = file_request(web, people["curator"], objectives=["20"], country="FRA")["id"]
    private = file_request(web, people["curator"], confidentiality="private", country="SEN")["id"]
    curator, csrf = _browser(web, people["curator"])
    assert (
        _post(curator, f"/hub/requests/{second}/steps", csrf, {"to": "triaged"}).status_code == 303
    )
    everything = curator.get("/hub/queue")
    assert everything.status_code == 200
    for ref in (first, second, private):
        assert f"/hub/requests/{ref}" in everything.text
    assert "Triaged (1)" in everything.text and "Submitted (2)" in everything.text
    triaged = curator.get("/hub/queue", params={"state": "triaged"}).text
    assert f"/hub/requests/{second}" in triaged and f"/hub/requests/{first}" not in triaged
    assert "Submitted (2)" in triaged  # the tabs count every state
    about_6 = curator.get("/hub/queue", params={"objective": "6"}).text
    assert f"/hub/requests/{first}" in about_6 and f"/hub/requests/{second}" not in about_6
    late = curator.get("/hub/queue", params={"overdue": "yes"}).text
    assert "No request matches these filters." in late
    by_due = curator.get("/hub/queue", params={"sort": "due", "objective": "6"})
    links = Page(by_due.text).links
    csv_link = next(link for link in links if "format=csv" in link)
    assert csv_link.startswith("/api/v1/hub/requests?") and "objective=6" in csv_link
    download = curator.get(csv_link)
    assert download.status_code == 200 and first in download.text and second not in download.text
    # A focal point of another country sees the public ones, not Senegal's private request.
    france, _ = _browser(web, people["focal_fra"])
    theirs = france.get("/hub/queue").text
    assert f"/hub/requests/{second}" in theirs and f"/hub/requests/{private}" not in theirs
    # The public signs in first; a filter that does not exist is refused.
    assert web.get("/hub/queue", follow_redirects=False).status_code == 303
    assert curator.get("/hub/queue", params={"colour": "red"}).status_code == 400
    assert curator.get("/hub/queue", params={"state": "lost"}).status_code == 400


def test_the_hub_front_page_counts_requests_and_offers_and_invites_to_ask(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    file_request(web, people["focal_mex"])
    public = web.get("/hub")
    assert public.status_code == 200
    assert "paragraph 43(a)" in public.text
    assert "Remittance price comparison set-up" in public.text  # a current offer
    assert "Sign in to ask for support" in public.text
    assert 'href="/hub/requests/new"' not in public.text
    assert '<a href="/hub" aria-current="page">Connection hub</a>' in public.text
    focal, _ = _browser(web, people["focal_mex"])
    page = focal.get("/hub").text
    assert 'class="button" href="/hub/requests/new">Ask for support' in page
    assert re.search(r"<th scope=\"row\">Submitted</th><td class=\"num\">1</td>", page)


def test_the_provider_registry_filters_and_profiles_show_contact_only_with_consent(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    everything = web.get("/hub/providers")
    assert everything.status_code == 200 and "4 providers" in everything.text
    assert Page(everything.text).unlabelled() == []
    experts = web.get("/hub/providers", params={"kind": "expert"}).text
    assert "1 provider" in experts and "/hub/providers/p-expert" in experts
    spanish = web.get("/hub/providers", params={"language": "es", "objective": "6"}).text
    assert "/hub/providers/p-recruit" in spanish and "/hub/providers/p-remit" not in spanish
    profile = web.get("/hub/providers/p-remit").text
    assert "Diaspora finance network" in profile and "Remittance price comparison" in profile
    # Registering through the form: without consent, no contact address is kept.
    partner, csrf = _browser(web, people["partner"])
    form = partner.get("/hub/providers/new")
    assert Page(form.text).unlabelled() == []
    assert "withdrawn at any time" in form.text
    fields = [
        ("kind", "expert"),
        ("name", "Expert on consular protection"),
        ("organization_type", "expert"),
        ("description", "Twenty years of consular protection for migrants in distress."),
        ("objectives", "14"),
        ("support_types", "training"),
        ("regions", "419"),
        ("languages", "es"),
        ("capacity", "2"),
        ("contact_email", "expert@example.org"),
    ]
    refused = _post(partner, "/hub/providers/new", csrf, fields)
    assert refused.status_code == 422 and "only with consent" in refused.text
    assert 'value="Expert on consular protection"' in refused.text
    made = _post(partner, "/hub/providers/new", csrf, [*fields, ("consent", "yes")])
    assert made.status_code == 303
    ref = made.headers["location"].rsplit("/", 1)[1]
    shown = web.get(f"/hub/providers/{ref}").text
    assert "expert@example.org" in shown and "Latin America" in shown
    # Its owner publishes an offer for it through the form.
    assert f'value="{ref}"' in partner.get(f"/hub/offers/new?provider={ref}").text
    offered = _post(
        partner,
        "/hub/offers/new",
        csrf,
        [
            ("provider", ref),
            ("title", "Training for consular staff"),
            ("description", "Three days of training on consular protection."),
            ("objectives", "14"),
        ],
    )
    assert offered.status_code == 303
    assert "Training for consular staff" in web.get("/hub/offers").text
    # Someone else cannot publish offers for it: 403, nothing stored.
    focal, token = _browser(web, people["focal_mex"])
    other = _post(
        focal,
        "/hub/offers/new",
        token,
        [("provider", ref), ("title", "Not mine"), ("description", "An offer I do not own.")],
    )
    assert other.status_code == 403
    assert "Not mine" not in web.get("/hub/offers").text
    with open_context() as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(Provider)) == 5
    # The expert withdraws consent: the profile leaves the public registry, the address goes.
    assert "Withdraw consent to be listed" in partner.get(f"/hub/providers/{ref}").text
    withdrawn = _post(partner, f"/hub/providers/{ref}/consent", csrf, {"consent": "no"})
    assert withdrawn.status_code == 303
    assert web.get(f"/hub/providers/{ref}").status_code == 404
    assert f"/hub/providers/{ref}" not in web.get("/hub/providers").text
    own = partner.get(f"/hub/providers/{ref}").text
    assert "expert@example.org" not in own and "Give consent to be listed" in own


@pytest.mark.parametrize("url", ["/hub", "/hub/providers", "/hub/offers"])
def test_public_hub_pages_refuse_unknown_parameters(web: TestClient, url: str) -> None:
    assert web.get(url, params={"nonsense": "1"}).status_code == 400


def test_notices_show_in_the_header_and_can_be_marked_read(
    web: TestClient, people: dict[str, Person], providers: list[str]
) -> None:
    file_request(web, people["focal_mex"])  # the secretariat hears of it
    curator, csrf = _browser(web, people["curator"])
    home = curator.get("/").text
    assert re.search(r'href="/notices"[^>]*>Notices <span class="badge count-badge">1', home)
    page = curator.get("/notices")
    assert re.search(r"New request R-[^ ]+ from MEX", page.text) and "Mark all read" in page.text
    assert re.search(r'href="/hub/requests/R-[^"]+"', page.text)
    done = _post(curator, "/notices/read", csrf)
    assert done.status_code == 303
    assert "count-badge" not in curator.get("/notices").text
    with open_context() as ctx:
        unread = ctx.session.scalars(
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.read_at.is_(None))
        )
        assert set(unread) == {"admin"}  # the admin heard of the request too, and kept it
    assert web.get("/notices", follow_redirects=False).status_code == 303
