"""The review's pages: the figures are the back end's, the heat map writes its numbers, drafts
stay hidden, a plan's changes are readable, and the pages speak French."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from gcmhub.review.common import TOP_REGIONS
from gcmhub.review.plans import FIELDS
from gcmhub.review.views import FIELD_NAMES, REGION_NAMES, record_link, shade
from tests.accounts.conftest import Person
from tests.review.conftest import COMMITMENTS, save_plan


def _cells(html: str) -> list[tuple[str, str]]:
    table = html.split('id="heat-map"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="num heat heat-(\d)">([^<]*)</td>', table)


def test_the_dashboard_shows_the_back_ends_figures_and_a_heat_map_with_numbers(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    rows = web.get("/api/v1/review/progress/objectives").json()
    page = web.get("/review")
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert 'href="/review" aria-current="page"' in html  # the header's nav
    six = rows[5]
    table = html.split('id="objectives-table"', 1)[1].split("</table>", 1)[0]
    row6 = table.split('href="/objectives/6"', 1)[1].split("</tr>", 1)[0]
    assert f"{six['actions_committed']} of {six['actions']}" in row6
    assert "16.7%" in row6  # 2 of 12 actions
    cells = _cells(html)
    assert len(cells) == 5 * 23
    assert all(number.strip() for _, number in cells)  # every cell writes its number
    assert ("3", "1") in cells and ("0", "0") in cells  # shaded and written
    assert "/api/v1/review/progress/matrix?measure=commitments&amp;format=csv" in html
    coverage = web.get("/review", params={"measure": "coverage"}).text
    assert ("3", "2") in _cells(coverage)  # actions 6a and 6b in the Americas
    assert web.get("/review", params={"measure": "rainfall"}).status_code == 400
    assert web.get("/review", params={"colour": "red"}).status_code == 400


def test_the_country_page_and_the_difference_between_two_versions(
    web: TestClient, people: dict[str, Person]
) -> None:
    me = people["focal_mex"]
    assert save_plan(web, me).status_code == 200
    changed = [dict(COMMITMENTS[0], key="C1", status="completed"), *COMMITMENTS[1:]]
    assert save_plan(web, me, commitments=changed, note="Fees banned").status_code == 200
    page = web.get("/review/countries/MEX")
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert "Ban recruitment fees charged to workers" in html
    assert "Ministry of Labour" in html and "1,250,000.5" in html
    assert "/review/countries/MEX?version=1" in html
    assert "/review/countries/MEX/plan?from=1&amp;to=2" in html
    diff = web.get("/review/countries/MEX/plan", params={"from": 1, "to": 2})
    assert diff.status_code == 200, diff.text[:500]
    text = unescape(re.sub(r"<[^>]+>", " ", diff.text))
    assert "Changed: 1" in text and "Status" in text
    assert re.search(r"Ongoing\s+Completed", text)
    older = web.get("/review/countries/MEX", params={"version": 1})
    assert older.status_code == 200 and "See the latest version" in older.text
    assert web.get("/review/countries/MEX/plan", params={"from": 1, "to": 9}).status_code == 404
    assert web.get("/review/countries/MEX/plan", params={"since": 1}).status_code == 400
    assert web.get("/review/countries/ZZZ").status_code == 404
    none = web.get("/review/countries/FRA")
    assert none.status_code == 200 and "No national implementation plan" in none.text


def test_the_report_page_traces_figures_and_says_when_a_period_is_empty(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    page = web.get("/review/report")
    assert page.status_code == 200, page.text[:500]
    assert "<details>" in page.text and 'href="/review/countries/MEX">plan:MEX/v1</a>' in page.text
    assert "/api/v1/review/report?from=" in page.text and "format=docx" in page.text
    empty = web.get("/review/report", params={"from": "1990-01-01", "to": "1990-12-31"})
    assert empty.status_code == 200 and 'id="empty-report"' in empty.text
    assert "Nothing was recorded in this period" in empty.text
    assert web.get("/review/report", params={"from": "1990-13-01"}).status_code == 400
    assert web.get("/review/report", params={"year": "1990"}).status_code == 400
    assert record_link("Connection hub", "R-2026-0001-ab12") == "/hub/requests/R-2026-0001-ab12"
    assert record_link("Knowledge platform", "gcm-20a") == "/items/gcm-20a"
    assert record_link("Start-up fund", "project:7") == "/fund/projects/7"
    assert record_link("Start-up fund", "transaction:7") is None


def test_a_draft_review_is_a_404_page_for_the_public_and_a_submitted_one_is_shown(
    web: TestClient, people: dict[str, Person]
) -> None:
    me = people["focal_mex"].headers
    assert save_plan(web, people["focal_mex"]).status_code == 200
    created = web.post(
        "/api/v1/review/reviews", json={"country": "MEX", "period": "2024"}, headers=me
    )
    assert created.status_code == 201, created.text
    review = created.json()["id"]
    answer = web.get(f"/review/reviews/{review}")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert f"/review/reviews/{review}" not in web.get("/review/reviews").text
    url = f"/api/v1/review/reviews/{review}"
    put = web.put(f"{url}/sections/6", json={"progress": "Fees are banned."}, headers=me)
    assert put.status_code == 200, put.text
    assert web.patch(url, json={"status": "submitted"}, headers=me).status_code == 200
    shown = web.get(f"/review/reviews/{review}")
    assert shown.status_code == 200 and "Fees are banned." in shown.text
    assert f"{url}/export?format=docx" in shown.text
    assert f"/review/reviews/{review}" in web.get("/review/reviews").text
    assert web.get("/review/reviews/abc").status_code == 404


def test_partnerships_and_capacity_pages_show_the_measures(
    web: TestClient, people: dict[str, Person]
) -> None:
    body = {
        "name": "Fair recruitment corridor",
        "level": "bilateral",
        "partners": ["Ministry of Labour", "ILO"],
        "stakeholders": ["government", "trade-unions"],
        "objectives": ["6"],
        "results": [{"text": "A joint code of conduct."}],
    }
    made = web.post("/api/v1/review/partnerships", json=body, headers=people["curator"].headers)
    assert made.status_code == 201, made.text
    measures = web.get("/api/v1/review/partnerships/measures").json()
    page = web.get("/review/partnerships")
    assert page.status_code == 200, page.text[:500]
    assert "Fair recruitment corridor" in page.text
    assert f'id="figure-count">{measures["partnerships"]}<' in page.text
    assert "Shannon" in page.text and "Trade unions" in page.text  # the taxonomy's names
    assert "Fair recruitment" not in web.get("/review/partnerships?level=global").text
    assert web.get("/review/partnerships?level=galactic").status_code == 400
    capacity = web.get("/review/capacity")
    assert capacity.status_code == 200 and "No capacity assessment" in capacity.text


def test_the_pages_are_translated_into_french(web: TestClient, people: dict[str, Person]) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    page = web.get("/review", params={"lang": "fr"})
    assert page.status_code == 200
    assert "Examen de la mise en œuvre" in page.text and "16,7" in page.text
    report = web.get("/review/report", params={"lang": "fr"})
    assert "Rapport du mécanisme" in report.text


def test_the_names_marked_for_translation_match_the_back_end() -> None:
    assert set(FIELD_NAMES) == set(FIELDS)
    assert set(REGION_NAMES) == set(TOP_REGIONS)
    assert [shade(v, 6) for v in (0, 1, 2, 3, 4, 6)] == [0, 1, 1, 2, 2, 3]


def test_the_demonstration_records_load_once_and_the_pages_say_so(web: TestClient) -> None:
    from gcmhub.demo.actions import demo_review
    from gcmhub.runtime import open_context

    with open_context() as ctx:
        loaded = demo_review(ctx)
    assert loaded == {"plans": 1, "versions": 2, "partnerships": 2, "assessments": 2}
    with open_context() as ctx:
        assert demo_review(ctx)["plans"] == 0  # once
    page = web.get("/review/countries/MEX")
    assert "Demonstration records." in page.text
    diff = web.get("/review/countries/MEX/plan")  # the latest version against the one before
    text = unescape(re.sub(r"<[^>]+>", " ", diff.text))
    assert "Changed: 1" in text and re.search(r"Planned\s+Completed", text)
    capacity = web.get("/review/capacity")
    assert "Demonstration: labour migration governance" in capacity.text
    assert "+2" in capacity.text  # partnerships: 1 before, 3 after
    assert "Demonstration partnership on fair recruitment" in web.get("/review/partnerships").text


def test_a_focal_point_writes_a_section_and_drafts_a_review_on_its_page(
    web: TestClient, people: dict[str, Person]
) -> None:
    from gcmhub.review.models import ReviewSection
    from tests.accounts.conftest import sign_in
    from tests.review.conftest import counts

    me = people["focal_mex"].headers
    assert save_plan(web, people["focal_mex"]).status_code == 200
    review = web.post(
        "/api/v1/review/reviews", json={"country": "MEX", "period": "2025"}, headers=me
    ).json()["id"]
    page = f"/review/reviews/{review}"

    browser = TestClient(web.app)
    csrf = sign_in(browser, people["focal_mex"].username)
    shown = browser.get(page)
    assert "Draft from what the system knows" in shown.text and 'id="s6-progress"' in shown.text
    drafted = browser.post(f"{page}/draft", data={"csrf": csrf}, follow_redirects=False)
    assert drafted.status_code == 303 and drafted.headers["location"] == f"{page}?done=draft"
    # The plan's commitment on objective 6 is in the drafted section.
    sections = web.get(f"/api/v1/review/reviews/{review}", headers=me).json()["sections"]
    six = next(s for s in sections if s["code"] == "6")
    assert "Ban recruitment fees" in six["progress"]
    saved = browser.post(
        f"{page}/sections/6",
        data={"csrf": csrf, "progress": "Fees are banned by decree.", "challenges": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"{page}?done=section"
    after = browser.get(saved.headers["location"])
    assert "The section is saved." in after.text and "Fees are banned by decree." in after.text

    # A focal point of France may not write Mexico's review: refused, nothing stored.
    other = TestClient(web.app)
    other_csrf = sign_in(other, people["focal_fra"].username)
    before = counts(ReviewSection)
    refused = other.post(
        f"{page}/sections/6", data={"csrf": other_csrf, "progress": "x"}, follow_redirects=False
    )
    assert refused.status_code in (403, 404)
    assert counts(ReviewSection) == before
    assert (
        web.get(f"/api/v1/review/reviews/{review}", headers=me).json()["sections"][5]["progress"]
        == "Fees are banned by decree."
    )
