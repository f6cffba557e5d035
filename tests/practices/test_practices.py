"""Practice submission and peer review through the HTTP API, its refusals, and the form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select, update

from gcmhub.accounts.audit import now
from gcmhub.accounts.models import AuditEntry, Notification, User
from gcmhub.practices.models import (
    PracticeCall,
    PracticeEvent,
    PracticeReview,
    PracticeSubmission,
)
from gcmhub.runtime import open_context
from gcmhub.settings import Settings
from tests.accounts.conftest import Person, sign_in
from tests.practices.samples import PRACTICE, practice_made

API = "/api/v1/practices"


def post(client: TestClient, person: Person | None, path: str, body: Any = None) -> Any:
    headers = person.headers if person else {}
    return client.post(path, json=body, headers=headers)


def ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text[:500]
    return dict(answer.json())


def counts() -> dict[str, int]:
    """Rows of each table a refused write must leave alone."""
    with open_context() as ctx:
        return {
            table.__name__: int(ctx.session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (PracticeSubmission, PracticeReview, PracticeEvent, AuditEntry)
        }


def notices(username: str) -> list[str]:
    with open_context() as ctx:
        return list(
            ctx.session.scalars(
                select(Notification.subject)
                .join(User, User.id == Notification.user_id)
                .where(User.username == username)
                .order_by(Notification.id)
            )
        )


def submit(client: TestClient, person: Person, **changes: Any) -> dict[str, Any]:
    return ok(post(client, person, API, {**PRACTICE, **changes}), 201)


def test_a_practice_goes_from_submission_through_peer_review_to_a_searchable_item(
    web: TestClient, panel: dict[str, Person]
) -> None:
    curator, submitter = panel["curator"], panel["submitter"]
    call = ok(
        post(
            web,
            curator,
            "/api/v1/practice-calls",
            {"title": "Return and reintegration", "objectives": ["21"], "deadline": "2099-01-31"},
        ),
        201,
    )
    assert call["open"] and [o["id"] for o in call["objectives"]] == ["objective:21"]
    listed = web.get("/api/v1/practice-calls").json()
    assert [c["id"] for c in listed] == [call["id"]]

    practice = submit(
        web, submitter, call=call["id"], title="Zapotec interpreters at the reintegration desk"
    )
    ref = practice["id"]
    assert practice["state"] == "submitted" and practice["call"] == call["id"]
    assert practice["criteria"] == dict.fromkeys(PRACTICE["criteria"], True)
    assert [o["id"] for o in practice["objectives"]] == ["objective:21", "objective:4"]
    assert [p["id"] for p in practice["principles"]] == ["principle:a"]
    assert practice["due_at"] is not None and practice["can"] == ["withdraw"]
    assert "New practice submitted" in notices("curator")[0]
    # Until it is published, only its submitter, reviewers and curators see it.
    assert web.get(f"{API}/{ref}").status_code == 404
    assert web.get(f"{API}/{ref}", headers=panel["focal_fra"].headers).status_code == 404
    queue = ok(web.get(API, headers=curator.headers))
    assert [p["id"] for p in queue["practices"]] == [ref] and queue["by_state"]["submitted"] == 1
    assert ok(web.get(API))["practices"] == []

    # The panel: one from the UN system and two external reviewers, without conflicts.
    reviewers = f"{API}/{ref}/reviewers"
    two = {"reviewers": [{"username": "ext-one"}, {"username": "ext-two"}]}
    refused = post(web, curator, reviewers, two)
    assert refused.status_code == 422 and "reviewers:" in refused.json()["detail"]
    colleague = {
        "reviewers": [
            {"username": "un-reviewer", "un_system": True},
            {"username": "ext-one"},
            {"username": "colleague"},
        ]
    }
    refused = post(web, curator, reviewers, colleague)
    assert refused.status_code == 409 and "conflict of interest" in refused.json()["detail"]
    panel_body = {
        "reviewers": [
            {"username": "un-reviewer", "un_system": True},
            {"username": "ext-one"},
            {"username": "ext-two"},
        ]
    }
    practice = ok(post(web, curator, reviewers, panel_body))
    assert practice["state"] == "in_review"
    assert [(r["reviewer"], r["un_system"]) for r in practice["reviews"]] == [
        ("un-reviewer", True),
        ("ext-one", False),
        ("ext-two", False),
    ]
    assert "Please review" in notices("ext-one")[0]

    # A reviewer declares conflicts of interest before reviewing.
    review = f"{API}/{ref}/review"
    early = post(web, panel["ext-one"], review, {"recommendation": "approve"})
    assert early.status_code == 409 and "declare conflicts of interest first" in early.text
    for name in ("un-reviewer", "ext-one", "ext-two"):
        seen = ok(post(web, panel[name], f"{API}/{ref}/review/conflict", {"conflict": "None"}))
        assert "review" in seen["can"]
    ok(
        post(
            web,
            panel["un-reviewer"],
            review,
            {"recommendation": "approve", "scores": {"replicable": 5}},
        )
    )

    # A reviewer asks for clarification; the review waits for the submitter's answer.
    asked = ok(
        post(
            web, panel["ext-one"], f"{API}/{ref}/clarifications", {"question": "What did it cost?"}
        )
    )
    assert asked["state"] == "clarification_requested"
    mine = ok(web.get(f"{API}/{ref}", headers=submitter.headers))
    assert [c["question"] for c in mine["clarifications"]] == ["What did it cost?"]
    assert mine["clarifications"][0]["asked_by"] == "reviewer" and "answer" in mine["can"]
    assert [r["recommendation"] for r in mine["reviews"]] == [None, None, None]  # not yet
    answered = ok(
        post(web, submitter, f"{API}/{ref}/clarifications/answer", {"answer": "USD 40,000 a year."})
    )
    assert answered["state"] == "in_review"
    assert answered["clarifications"][0]["answer"] == "USD 40,000 a year."

    # Reviewers disagree: the submission needs another reviewer, and the curators are told.
    ok(post(web, panel["ext-one"], review, {"recommendation": "reject", "comments": "Costly."}))
    flagged = ok(post(web, panel["ext-two"], review, {"recommendation": "approve"}))
    assert flagged["needs_third_reviewer"] is True
    assert any("disagree" in subject for subject in notices("curator"))
    stuck = post(web, curator, f"{API}/{ref}/decision", {"decision": "approve"})
    assert stuck.status_code == 409 and "disagree" in stuck.json()["detail"]
    added = ok(post(web, curator, reviewers, {"reviewers": [{"username": "ext-three"}]}))
    assert added["needs_third_reviewer"] is False
    assert added["reviews"][-1]["added_on_disagreement"] is True
    ok(post(web, panel["ext-three"], f"{API}/{ref}/review/conflict", {"conflict": "none"}))
    settled = ok(post(web, panel["ext-three"], review, {"recommendation": "approve"}))
    assert settled["needs_third_reviewer"] is False

    # The curator approves; the reviewers' recommendations are on record with the decision.
    approved = ok(post(web, curator, f"{API}/{ref}/decision", {"decision": "approve"}))
    decision = approved["decision"]
    assert approved["state"] == "approved"
    assert (decision["reviewers"], decision["un_system"], decision["external"]) == (4, 1, 3)
    assert decision["recommendations"] == {"approve": 3, "reject": 1}
    today = now().date().isoformat()
    expected = f"Peer reviewed: 4 reviewers (1 UN system, 3 external), approved on {today}"
    assert decision["summary"] == expected

    # Published: a knowledge item of type practice, with the decision in its text, searchable.
    published = ok(post(web, curator, f"{API}/{ref}/publish"))
    assert published["state"] == "published" and published["item"]
    item = ok(web.get(f"/api/v1/items/{published['item']}"))
    assert item["type"] == "practice" and expected in item["text"]
    assert item["publisher"] == "Municipal employment service"
    tags = {t["concept"] for t in item["tags"]}
    assert {"objective:21", "objective:4", "country:MEX", "principle:a", "level:local"} <= tags
    hits = ok(web.get("/api/v1/search", params={"q": "Zapotec interpreters", "mode": "lexical"}))
    assert [h["id"] for h in hits["hits"]] == [published["item"]]
    by_type = ok(web.get("/api/v1/items", params={"type": "practice", "principle": "a"}))
    assert published["item"] in [i["id"] for i in by_type["data"]]

    # The public now sees the practice and the review's outcome, never who said what.
    public = ok(web.get(f"{API}/{ref}"))
    assert public["decision"]["summary"] == expected and public["submitter"] is None
    assert {r["reviewer"] for r in public["reviews"]} == {
        "Reviewer 1",
        "Reviewer 2",
        "Reviewer 3",
        "Reviewer 4",
    }
    assert all(r["comments"] is None and r["conflict"] is None for r in public["reviews"])
    assert public["clarifications"] == [] and {e["kind"] for e in public["events"]} == {"step"}
    assert [p["id"] for p in ok(web.get(API))["practices"]] == [ref]
    with open_context() as ctx:
        actions = list(
            ctx.session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.target == f"practice:{ref}")
                .order_by(AuditEntry.id)
            )
        )
    assert actions.count("review_submit") == 4 and actions[-1] == "practice_publish"


def test_a_late_submission_to_a_closed_call_is_refused_with_its_deadline(
    web: TestClient, people: dict[str, Person]
) -> None:
    panel = people
    call = ok(
        post(
            web,
            panel["curator"],
            "/api/v1/practice-calls",
            {"title": "Remittances", "deadline": "2099-01-31"},
        ),
        201,
    )
    closed = (now() - timedelta(days=3)).date()
    with open_context() as ctx:
        ctx.session.execute(
            update(PracticeCall).where(PracticeCall.ref == call["id"]).values(deadline=closed)
        )
    before = counts()
    late = post(web, panel["partner"], API, {**PRACTICE, "call": call["id"]})
    assert late.status_code == 409
    assert closed.isoformat() in late.json()["detail"]
    assert late.headers["content-type"] == "application/problem+json"
    assert counts() == before
    past = post(
        web, panel["curator"], "/api/v1/practice-calls", {"title": "Old", "deadline": "2001-01-01"}
    )
    assert past.status_code == 422 and past.json()["detail"].startswith("deadline:")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"criteria": {**PRACTICE["criteria"], "replicable": False}}, "criteria.replicable"),
        ({"criteria": {}}, "criteria.relates_to_objective"),
        ({"objectives": []}, "objectives"),
        ({"objectives": ["99"]}, "objectives"),
        ({"status_completion": "ongoing"}, "status_completion"),
        ({"countries": ["Atlantis"]}, "countries"),
    ],
)
def test_a_submission_without_the_criteria_or_an_objective_is_refused_naming_the_field(
    web: TestClient, people: dict[str, Person], changes: dict[str, Any], field: str
) -> None:
    before = counts()
    refused = post(web, people["partner"], API, {**PRACTICE, **changes})
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"].startswith(f"{field}:")
    assert counts() == before


def test_a_reviewer_of_the_submitters_organization_is_refused(
    web: TestClient, panel: dict[str, Person]
) -> None:
    practice = submit(web, panel["submitter"])
    ref = practice["id"]
    body = {
        "reviewers": [
            {"username": "un-reviewer", "un_system": True},
            {"username": "ext-one"},
            {"username": "ext-two"},
        ]
    }
    ok(post(web, panel["curator"], f"{API}/{ref}/reviewers", body))
    with open_context() as ctx:  # the reviewer joins the submitter's organization meanwhile
        ctx.session.execute(
            update(User).where(User.username == "ext-one").values(organization="casa del migrante")
        )
    before = counts()
    for path, body in (
        ("review/conflict", {"conflict": "none"}),
        ("review", {"recommendation": "approve"}),
    ):
        refused = post(web, panel["ext-one"], f"{API}/{ref}/{path}", body)
        assert refused.status_code == 403, refused.text
        assert "conflict of interest" in refused.json()["detail"]
    # The submitter never reviews, nor does anyone not assigned.
    assert (
        post(
            web, panel["submitter"], f"{API}/{ref}/review/conflict", {"conflict": "none"}
        ).status_code
        == 403
    )
    assert (
        post(
            web, panel["ext-three"], f"{API}/{ref}/review", {"recommendation": "approve"}
        ).status_code
        == 403
    )
    assert counts() == before


def test_a_step_the_workflow_does_not_allow_is_refused_naming_the_allowed_ones(
    web: TestClient, panel: dict[str, Person]
) -> None:
    ref = submit(web, panel["submitter"])["id"]
    before = counts()
    refused = post(web, panel["curator"], f"{API}/{ref}/publish")
    assert refused.status_code == 409
    assert refused.json()["allowed"] == ["in_review", "rejected", "withdrawn"]
    early = post(web, panel["curator"], f"{API}/{ref}/decision", {"decision": "approve"})
    assert early.status_code == 409 and early.json()["allowed"] == refused.json()["allowed"]
    ask = post(web, panel["curator"], f"{API}/{ref}/clarifications", {"question": "Cost?"})
    assert ask.status_code == 409 and "allowed" in ask.json()
    answer = post(web, panel["submitter"], f"{API}/{ref}/clarifications/answer", {"answer": "x"})
    assert answer.status_code == 409
    # Only the submitter withdraws; the curators decide, publish and assign.
    assert post(web, panel["curator"], f"{API}/{ref}/withdraw").status_code == 403
    assert post(web, panel["submitter"], f"{API}/{ref}/publish").status_code == 403
    no_note = post(web, panel["curator"], f"{API}/{ref}/decision", {"decision": "reject"})
    assert no_note.status_code == 422 and no_note.json()["detail"].startswith("note:")
    assert counts() == before

    withdrawn = ok(post(web, panel["submitter"], f"{API}/{ref}/withdraw", {"note": "Not ready"}))
    assert withdrawn["state"] == "withdrawn" and withdrawn["can"] == []
    final = post(web, panel["submitter"], f"{API}/{ref}/withdraw")
    assert final.status_code == 409 and final.json()["allowed"] == []


def test_a_reviewer_who_declares_a_conflict_is_recused(
    web: TestClient, panel: dict[str, Person]
) -> None:
    ref = practice_made(
        "assigned", submitter="submitter", reviewers=(("un-reviewer", True), ("ext-one", False))
    )
    seen = ok(
        post(web, panel["ext-one"], f"{API}/{ref}/review/conflict", {"conflict": "I advised them."})
    )
    mine = next(r for r in seen["reviews"] if r["reviewer"] == "ext-one")
    assert mine["recused"] and "review" not in seen["can"]
    assert any("conflict of interest" in s for s in notices("curator"))
    refused = post(web, panel["ext-one"], f"{API}/{ref}/review", {"recommendation": "approve"})
    assert refused.status_code == 409 and "declared a conflict" in refused.json()["detail"]
    ok(post(web, panel["un-reviewer"], f"{API}/{ref}/review/conflict", {"conflict": "none"}))
    ok(post(web, panel["un-reviewer"], f"{API}/{ref}/review", {"recommendation": "approve"}))
    approved = ok(post(web, panel["curator"], f"{API}/{ref}/decision", {"decision": "approve"}))
    assert approved["decision"]["reviewers"] == 1  # the recused reviewer does not count


def test_reviewers_review_blind_until_their_own_review_is_in(
    web: TestClient, panel: dict[str, Person]
) -> None:
    ref = practice_made(
        "declared", submitter="submitter", reviewers=(("un-reviewer", True), ("ext-one", False))
    )
    ok(
        post(
            web,
            panel["un-reviewer"],
            f"{API}/{ref}/review",
            {"recommendation": "revise", "comments": "More data."},
        )
    )
    other = ok(web.get(f"{API}/{ref}", headers=panel["ext-one"].headers))
    assert other["reviews"][0] == {
        **other["reviews"][0],
        "reviewer": "Reviewer 1",
        "recommendation": None,
        "comments": None,
    }
    ok(post(web, panel["ext-one"], f"{API}/{ref}/review", {"recommendation": "approve"}))
    after = ok(web.get(f"{API}/{ref}", headers=panel["ext-one"].headers))
    assert after["reviews"][0]["comments"] == "More data."
    assert after["needs_third_reviewer"] is True  # approve against revise


def test_the_submission_form_shows_the_criteria_and_creates_a_submission(
    web: TestClient, panel: dict[str, Person]
) -> None:
    assert web.get("/practices/new", follow_redirects=False).status_code == 303
    csrf = sign_in(web, "submitter")
    page = web.get("/practices/new")
    assert page.status_code == 200
    for name in PRACTICE["criteria"]:
        assert f'name="{name}" type="checkbox"' in page.text
        assert f'id="c-{name}-help"' in page.text
    assert "It is completed or mostly completed" in page.text
    assert 'value="objective:21"' in page.text and 'value="principle:a"' in page.text
    assert 'for="f-title"' in page.text and 'id="f-title"' in page.text
    assert 'value="Casa del Migrante"' in page.text  # the submitter's organization, ready

    form = {
        "csrf": csrf,
        "title": "Job fairs for returnees",
        "summary": "Quarterly job fairs match returning migrants with local employers.",
        "body": "The employment service runs job fairs every quarter where returnees meet "
        "employers who recognise the skills they gained abroad.",
        "objectives": ["objective:21", "objective:18"],
        "principles": ["principle:a"],
        "countries": "MEX",
        "level": "national",
        "implementing_entity": "Casa del Migrante",
        "status_completion": "mostly_completed",
        "replicability": "Any employment service can hold such fairs.",
        "relates_to_objective": "yes",
        "adheres_to_principles": "yes",
        "mostly_completed": "yes",
    }
    before = counts()
    missing = web.post("/practices/new", data=form, follow_redirects=False)
    assert missing.status_code == 422 and "criteria.replicable" in missing.text
    assert 'value="Job fairs for returnees"' in missing.text  # the form comes back filled in
    assert counts() == before
    answer = web.post("/practices/new", data={**form, "replicable": "yes"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:500]
    ref = answer.headers["location"].rsplit("/", 1)[1]
    with open_context() as ctx:
        stored = ctx.session.scalar(select(PracticeSubmission).where(PracticeSubmission.ref == ref))
        assert stored is not None and stored.objectives == ["objective:21", "objective:18"]
        assert stored.replicable and stored.level == "national"
    shown = web.get(f"/practices/{ref}")
    assert shown.status_code == 200 and "Job fairs for returnees" in shown.text
    assert f'action="/practices/{ref}/withdraw"' in shown.text
    assert f'action="/practices/{ref}/reviewers"' not in shown.text

    # The curator's page offers the assignment, the queue lists the submission.
    reviewer_browser = TestClient(web.app)
    curator_csrf = sign_in(reviewer_browser, "curator")
    assert f'action="/practices/{ref}/reviewers"' in reviewer_browser.get(f"/practices/{ref}").text
    assert ref in reviewer_browser.get("/practices").text
    assigned = reviewer_browser.post(
        f"/practices/{ref}/reviewers",
        data={
            "csrf": curator_csrf,
            "reviewer1": "un-reviewer",
            "un1": "yes",
            "reviewer2": "ext-one",
            "reviewer3": "ext-two",
        },
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    assert "Reviewer" in reviewer_browser.get(f"/practices/{ref}").text


def test_the_calls_page_lists_deadlines_and_lets_curators_open_a_call(
    web: TestClient, panel: dict[str, Person]
) -> None:
    public = web.get("/practice-calls")
    assert public.status_code == 200 and 'action="/practice-calls/new"' not in public.text
    csrf = sign_in(web, "curator")
    assert 'action="/practice-calls/new"' in web.get("/practice-calls").text
    made = web.post(
        "/practice-calls/new",
        data={
            "csrf": csrf,
            "title": "Labour mobility",
            "objectives": "5, 6",
            "deadline": "2099-03-31",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = web.get("/practice-calls")
    assert "Labour mobility" in page.text and 'datetime="2099-03-31"' in page.text
    assert "/practices/new?call=C-" in page.text


def test_the_deadlines_come_from_one_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().practice_deadlines.startswith("submitted=10")
    with pytest.raises(ValidationError, match="practice_deadlines"):
        Settings(practice_deadlines="submitted=10,lost=3")
    monkeypatch.setenv("GCMHUB_PRACTICE_DEADLINES", "submitted=2")
    from gcmhub.practices.workflow import practice_workflow
    from gcmhub.settings import get_settings

    get_settings.cache_clear()
    try:
        workflow = practice_workflow()
        assert workflow.deadlines == {"submitted": 2}
        assert workflow.deadline("in_review", now()) is None
    finally:
        get_settings.cache_clear()


def test_the_command_line_lists_submissions_and_calls(people: dict[str, Person], cli: Any) -> None:
    ref = practice_made("assigned")
    listed = cli("practices", "list", "--json")
    assert listed.code == 0, listed.err
    assert ref in listed.out and '"in_review": 1' in listed.out
    assert cli("practices", "list", "--state", "lost").code == 2
    assert cli("practices", "calls").code == 0


def test_each_person_finds_their_next_step_on_the_submission_page(
    web: TestClient, panel: dict[str, Person]
) -> None:
    ref = practice_made(
        "assigned", submitter="submitter", reviewers=(("un-reviewer", True), ("ext-one", False))
    )
    browsers = {}
    for name in ("submitter", "un-reviewer", "ext-one", "curator"):
        browser = TestClient(web.app)
        browsers[name] = (browser, sign_in(browser, name))

    def act(name: str, path: str, **fields: str) -> str:
        browser, csrf = browsers[name]
        answer = browser.post(
            f"/practices/{ref}/{path}", data={"csrf": csrf, **fields}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text[:500]
        return str(browser.get(f"/practices/{ref}").text)

    page = browsers["ext-one"][0].get(f"/practices/{ref}").text
    assert f'action="/practices/{ref}/review/conflict"' in page
    assert f'action="/practices/{ref}/review"' not in page  # not before the declaration
    page = act("ext-one", "review/conflict", conflict="none")
    assert f'action="/practices/{ref}/review"' in page and 'id="score-replicable"' in page
    page = act("ext-one", "clarifications", question="How many people did the desk serve?")
    assert "How many people did the desk serve?" in page
    page = browsers["submitter"][0].get(f"/practices/{ref}").text
    assert f'action="/practices/{ref}/clarifications/answer"' in page
    page = act("submitter", "clarifications/answer", answer="About 12,000 a year.")
    assert "About 12,000 a year." in page
    act(
        "ext-one",
        "review",
        recommendation="approve",
        comments="Clear results.",
        score_replicable="4",
    )
    act("un-reviewer", "review/conflict", conflict="none")
    page = act("un-reviewer", "review", recommendation="approve")
    assert "Clear results." in page and "4/5" in page  # fellow reviews, once one's own is in
    page = browsers["curator"][0].get(f"/practices/{ref}").text
    assert f'action="/practices/{ref}/decision"' in page
    page = act("curator", "decision", decision="approve")
    assert "Peer reviewed: 2 reviewers (1 UN system, 1 external), approved on" in page
    assert f'action="/practices/{ref}/publish"' in page
    page = act("curator", "publish")
    item = page.split('href="/items/', 1)[1].split('"', 1)[0]
    public = web.get(f"/practices/{ref}")
    assert public.status_code == 200 and "Clear results." not in public.text
    assert web.get(f"/items/{item}").status_code == 200
    assert ref in web.get("/practices").text
